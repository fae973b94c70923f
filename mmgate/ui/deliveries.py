"""What a webhook delivery carries, said in a few words for the logs (pure)."""

from __future__ import annotations

import json
from typing import Any

from mmgate.storage.port import WebhookDelivery


def pretty_json(raw: bytes | None) -> str:
    if not raw:
        return ""
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except ValueError:
        return raw.decode("utf-8", "replace")


def summary(payload: bytes | None) -> str:
    """e.g. "status delivered", "2 link clicks", "account_update MM_LITE_TERMS_SIGNED"."""
    try:
        body = json.loads(payload or b"")
    except ValueError:
        return "unreadable payload"
    parts: list[str] = []
    for change in _items(body, "entry", "changes"):
        value = change.get("value")
        if not isinstance(value, dict):
            value = {}
        field = str(change.get("field", ""))
        statuses = [s for s in value.get("statuses") or [] if isinstance(s, dict)]
        clicks = [a for a in value.get("user_actions") or [] if isinstance(a, dict)]
        if statuses:
            parts += [f"status {s.get('status', '?')}" for s in statuses]
        elif clicks:
            parts.append(f"{len(clicks)} link click" + ("s" if len(clicks) > 1 else ""))
        elif "event" in value:
            parts.append(f"{field} {value['event']}")
        else:
            parts.append(field or "event")
    return ", ".join(parts) or "event"


def wamids(payload: bytes | None) -> list[str]:
    """Our wamids named by the statuses in a delivery."""
    try:
        body = json.loads(payload or b"")
    except ValueError:
        return []
    found = []
    for change in _items(body, "entry", "changes"):
        value = change.get("value")
        for status in value.get("statuses") or [] if isinstance(value, dict) else []:
            if isinstance(status, dict) and isinstance(status.get("id"), str):
                found.append(status["id"])
    return found


def target(delivery: WebhookDelivery) -> str:
    return "partner webhook" if delivery.kind == "partner_webhook" else "channel webhook"


def _items(body: Any, outer: str, inner: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for entry in body.get(outer) or [] if isinstance(body, dict) else []:
        if isinstance(entry, dict):
            found += [c for c in entry.get(inner) or [] if isinstance(c, dict)]
    return found
