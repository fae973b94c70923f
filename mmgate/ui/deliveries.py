"""What a webhook delivery carries, said in a few words for the logs (pure)."""

from __future__ import annotations

import json
from typing import Any

from mmgate.sdk.webhooks import changes
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
    for change in changes(body):
        value, field = change.value, change.field or ""
        statuses = _dicts(value.get("statuses"))
        clicks = _dicts(value.get("user_actions"))
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
    return [
        status["id"]
        for change in changes(body)
        for status in _dicts(change.value.get("statuses"))
        if isinstance(status.get("id"), str)
    ]


def target(delivery: WebhookDelivery) -> str:
    return "partner webhook" if delivery.kind == "partner_webhook" else "channel webhook"


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
