"""`POST /{phone_number_id}/messages` with `{"status": "read", "message_id": …}`: the
business marks a user's message as read (optionally showing a typing indicator), as
Cloud API clients do for every message they handle. Meta answers `{"success": true}`;
the emulator's users have no blue ticks to show, so nothing else changes."""

from __future__ import annotations

from typing import Any

import msgspec

from mmgate.domain.json_limits import MAX_DEPTH, too_deep
from mmgate.errors import GraphError


def read_receipt(body: bytes) -> dict[str, Any] | None:
    """The answer to a read receipt, or None when `body` is a send."""
    if b'"status"' not in body or too_deep(body, MAX_DEPTH):
        return None  # the common case, a send, is not decoded twice
    try:
        decoded = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return None  # the send path reports it
    if not isinstance(decoded, dict) or decoded.get("status") != "read":
        return None
    message_id = decoded.get("message_id")
    if not isinstance(message_id, str) or not message_id.startswith("wamid."):
        raise GraphError(100, "message_id must be the wamid of a message the user sent.")
    indicator = decoded.get("typing_indicator")
    if indicator is not None and (
        not isinstance(indicator, dict) or indicator.get("type") != "text"
    ):
        raise GraphError(100, 'typing_indicator must be {"type": "text"}.')
    return {"success": True}
