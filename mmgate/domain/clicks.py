"""Click events in relayed webhooks (reference §6.3): pure parsing shared by both backends."""

from __future__ import annotations

from mmgate.sdk import ClickEvent, MmgateError, parse_webhook

LINK_CLICK = "marketing_messages_link_click"


def click_ids(payload: bytes | None) -> list[str | None]:
    """The click id of every link click in one relayed webhook (None when absent)."""
    try:
        events = parse_webhook(payload or b"")
    except MmgateError:
        return []  # not JSON, or not an object
    return [e.click_id for e in events if isinstance(e, ClickEvent) and e.action_type == LINK_CLICK]
