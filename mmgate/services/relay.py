"""Meta's status webhooks, mapped from Meta's wamid back to ours for the client.

The client sees one id in the send response and in every webhook, and its own
`biz_opaque_callback_data` exactly as it sent it (design §1.1).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import msgspec

from mmgate.domain import correlation
from mmgate.domain.routing import route_from_pricing
from mmgate.domain.webhooks import envelope
from mmgate.sdk.webhooks import changes
from mmgate.storage.port import StatusUpdate

_json = msgspec.json.Encoder()
LookupFn = Callable[[str], Awaitable[str | None]]


def _statuses(payload: Any) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(entry id, value, status) for every status in a webhook, tolerating odd shapes."""
    for change in changes(payload):
        if change.field == "messages":
            for status in _dicts(change.value.get("statuses")):
                if isinstance(status.get("id"), str):
                    yield change.entry_id, change.value, status


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


@dataclass(frozen=True, slots=True)
class StatusRelays:
    """What a webhook's statuses become: updates of our messages, and the statuses of
    messages sent another way (same number, not through this gateway), relayed to the
    number's channel as Meta sent them, as 360dialog forwards everything."""

    updates: list[StatusUpdate] = field(default_factory=list)
    foreign: list[tuple[str, bytes]] = field(default_factory=list)  # (phone_number_id, body)


async def status_relays(payload: Any, lookup_meta_wamid: LookupFn) -> StatusRelays:
    relays = StatusRelays()
    for entry_id, value, status in _statuses(payload):
        ours, client_value = correlation.split(status.get("biz_opaque_callback_data"))
        if ours is None:
            ours = await lookup_meta_wamid(status["id"])
        if ours is None:
            foreign = _value_for(value, status)
            relays.foreign.append((_phone_number_id(value), _body(entry_id, foreign)))
            continue
        relayed = dict(status, id=ours)
        relayed.pop("biz_opaque_callback_data", None)
        if client_value is not None:
            relayed["biz_opaque_callback_data"] = client_value
        pricing = status.get("pricing")
        category = pricing.get("category") if isinstance(pricing, dict) else None
        route = route_from_pricing(category if isinstance(category, str) else None)
        relays.updates.append(
            StatusUpdate(
                wamid=ours,
                status=str(status.get("status", "unknown")),
                at=_timestamp(status.get("timestamp")),
                route_taken=route.value if route else None,
                relay_body=_body(entry_id, _value_for(value, relayed)),
                error=_error_text(status.get("errors")),
            )
        )
    return relays


def _value_for(value: dict[str, Any], status: dict[str, Any]) -> dict[str, Any]:
    """The webhook's value narrowed to one status and its recipient's contact."""
    recipient = status.get("recipient_id")
    contacts = [
        c for c in _dicts(value.get("contacts")) if recipient is None or c.get("wa_id") == recipient
    ]
    narrowed = {k: v for k, v in value.items() if k not in ("statuses", "contacts")}
    if contacts:
        narrowed["contacts"] = contacts
    narrowed["statuses"] = [status]
    return narrowed


def _body(entry_id: str, value: dict[str, Any]) -> bytes:
    return _json.encode(envelope(entry_id, "messages", [value]))


def _phone_number_id(value: dict[str, Any]) -> str:
    metadata = value.get("metadata")
    found = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
    return found if isinstance(found, str) else ""


def _timestamp(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _error_text(errors: Any) -> str | None:
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return None
    first = errors[0]
    return f"{first.get('code')}: {first.get('title') or first.get('message')}"
