"""Click events in relayed webhooks (reference §6.3): pure parsing shared by both backends."""

from __future__ import annotations

import json
from typing import Any


def click_ids(payload: bytes | None) -> list[str | None]:
    """The click id of every link click in one relayed webhook (None when absent)."""
    try:
        body = json.loads(payload or b"")
    except ValueError:
        return []
    found: list[str | None] = []
    for entry in _dicts(body, "entry"):
        for change in _dicts(entry, "changes"):
            for action in _dicts(change.get("value"), "user_actions"):
                if action.get("action_type") != "marketing_messages_link_click":
                    continue
                data = action.get("marketing_messages_link_click_data")
                click_id = data.get("click_id") if isinstance(data, dict) else None
                found.append(None if click_id is None else str(click_id))
    return found


def _dicts(parent: Any, key: str) -> list[dict[str, Any]]:
    """The objects in `parent[key]`, tolerating any other shape."""
    items = parent.get(key) if isinstance(parent, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
