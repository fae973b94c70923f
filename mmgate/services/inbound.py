"""What the gateway does with each Meta webhook field it receives.

Everything Meta sends for a number reaches that number's channel, as 360dialog
forwards it, through the same durable client-webhook jobs (signed, retried, ordered
by key) as statuses:

- `messages` statuses: mapped to our wamid and relayed to the channel (relay.py);
  statuses of messages sent another way are relayed as Meta sent them;
  `messages` click events (`user_actions`) carry no wamid: relayed to the channel
  that owns the phone number, as-is;
- `messages` from users (`messages[]`: text, button, reaction, ...) and
  `user_preferences`: relayed to the channel, with the wamids they name (`context.id`,
  `reaction.message_id`) mapped to ours when the message went through this gateway,
  ordered after that message's statuses (else per user).
- `account_update`: MM_LITE_TERMS_SIGNED marks the WABA onboarded; relayed to the
  partner as-is (as 360dialog does).
- `message_template_status_update` / `template_category_update`: the template
  knowledge is updated (a re-categorised template changes route on the next send)
  and the event is relayed to the partner.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any, Protocol

import msgspec

from mmgate.clock import Clock
from mmgate.domain.templates import SYNC_SECONDS, Category
from mmgate.domain.webhooks import envelope
from mmgate.errors import GraphError
from mmgate.sdk.webhooks import changes
from mmgate.services.relay import status_relays
from mmgate.services.templates import TemplateCatalog
from mmgate.services.wabas import WabaCatalog
from mmgate.storage.port import Store
from mmgate.upstream.graph import UpstreamUnavailable

log = logging.getLogger(__name__)
_json = msgspec.json.Encoder()
TEMPLATE_FIELDS = ("message_template_status_update", "template_category_update")
USER_FIELDS = ("messages", "user_preferences")  # what users send or decide


class Gateway(Protocol):
    """What inbound processing uses of the gateway's services (mmgate/gateway/context.py)."""

    @property
    def store(self) -> Store: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def templates(self) -> TemplateCatalog: ...
    @property
    def wabas(self) -> WabaCatalog: ...
    @property
    def wake_relay(self) -> Callable[[], None]: ...


def _single(entry: dict[str, Any], field: str, value: dict[str, Any]) -> bytes:
    time = entry.get("time")
    entry_id = str(entry.get("id", ""))
    body = envelope(entry_id, field, [value], time=time if isinstance(time, int) else None)
    return _json.encode(body)


async def process(gateway: Gateway, payload: Any) -> None:
    now = gateway.clock.now()
    relays = await status_relays(payload, gateway.store.wamid_for_meta)
    queued = False
    if relays.updates:
        await gateway.store.record_statuses(relays.updates, now)
        queued = True
    for phone_number_id, body in relays.foreign:
        queued |= await _to_number(gateway, phone_number_id, body, now)
    for change in changes(payload):
        entry, field, value = change.entry, change.field or "", change.value
        if field == "messages" and value.get("user_actions"):
            queued |= await _relay_click(gateway, entry, value, now)
        elif field in USER_FIELDS and (field != "messages" or value.get("messages")):
            queued |= await _relay_user_event(gateway, entry, field, value, now)
        elif field == "account_update":
            queued |= await _account_update(gateway, entry, value, now)
        elif field in TEMPLATE_FIELDS:
            queued |= await _template_event(gateway, entry, field, value, now)
    if queued:
        gateway.wake_relay()


async def _relay_click(
    gateway: Gateway, entry: dict[str, Any], value: dict[str, Any], now: float
) -> bool:
    metadata = value.get("metadata")
    phone_number_id = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
    if not isinstance(phone_number_id, str):
        return False
    channel = await gateway.store.channel_for_phone_number(phone_number_id)
    if channel is None:
        return False
    clicks = {k: v for k, v in value.items() if k != "statuses"}
    return await gateway.store.record_channel_event(
        channel.id, _single(entry, "messages", clicks), now
    )


async def _relay_user_event(
    gateway: Gateway, entry: dict[str, Any], field: str, value: dict[str, Any], now: float
) -> bool:
    answered: str | None = None
    relayed = dict(value)
    if field == "messages":
        messages = [m for m in value.get("messages") or [] if isinstance(m, dict)]
        mapped = [await _map_wamids(gateway, m) for m in messages]
        relayed["messages"] = [m for m, _ in mapped]
        answered = next((ours for _, ours in mapped if ours is not None), None)
    key = answered or _user_key(value)
    return await _to_number(
        gateway, _phone_number_id(value), _single(entry, field, relayed), now, key
    )


async def _map_wamids(
    gateway: Gateway, message: dict[str, Any]
) -> tuple[dict[str, Any], str | None]:
    """The message with Meta's wamids it names replaced by ours, and our wamid of the
    message it answers (None when it answers none sent through this gateway)."""
    mapped, ours = dict(message), None
    context = message.get("context")
    if isinstance(context, dict) and isinstance(context.get("id"), str):
        ours = await gateway.store.wamid_for_meta(context["id"])
        if ours is not None:
            mapped["context"] = dict(context, id=ours)
    reaction = message.get("reaction")
    if isinstance(reaction, dict) and isinstance(reaction.get("message_id"), str):
        reacted = await gateway.store.wamid_for_meta(reaction["message_id"])
        if reacted is not None:
            mapped["reaction"] = dict(reaction, message_id=reacted)
            ours = ours or reacted
    return mapped, ours


def _user_key(value: dict[str, Any]) -> str | None:
    """Events of one user to one number are delivered in order."""
    contacts = value.get("contacts")
    contact = contacts[0] if isinstance(contacts, list) and contacts else None
    if not isinstance(contact, dict):
        return None
    user = contact.get("wa_id") or contact.get("user_id")
    return f"user:{_phone_number_id(value)}:{user}" if isinstance(user, str) else None


def _phone_number_id(value: dict[str, Any]) -> str:
    metadata = value.get("metadata")
    found = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
    return found if isinstance(found, str) else ""


async def _to_number(
    gateway: Gateway, phone_number_id: str, body: bytes, now: float, key: str | None = None
) -> bool:
    """A client-webhook job for the channel of `phone_number_id`, if it has a URL."""
    if not phone_number_id:
        return False
    channel = await gateway.store.channel_for_phone_number(phone_number_id)
    if channel is None:
        return False
    return await gateway.store.record_channel_event(channel.id, body, now, key)


async def _account_update(
    gateway: Gateway, entry: dict[str, Any], value: dict[str, Any], now: float
) -> bool:
    info = value.get("waba_info")
    waba_id = info.get("waba_id") if isinstance(info, dict) else None
    if not isinstance(waba_id, str):
        waba_id = str(entry.get("id", ""))
    if value.get("event") == "MM_LITE_TERMS_SIGNED":
        await gateway.wabas.set_mm_status(waba_id, "ONBOARDED")
    partner_id = await gateway.store.waba_partner(waba_id)
    if partner_id is None:
        return False
    body = _single(entry, "account_update", value)
    return await gateway.store.record_partner_event(partner_id, body, waba_id, now)


async def _template_event(
    gateway: Gateway, entry: dict[str, Any], field: str, value: dict[str, Any], now: float
) -> bool:
    waba_id = str(entry.get("id", ""))
    name = value.get("message_template_name")
    language = value.get("message_template_language")
    if isinstance(name, str) and isinstance(language, str):
        status = value.get("event") if field == "message_template_status_update" else None
        category = value.get("new_category") if field == "template_category_update" else None
        sync_until = None
        if status == "APPROVED" and value.get("message_template_category") == Category.MARKETING:
            # Meta syncs a newly approved MARKETING template with its ad for 10 minutes.
            with contextlib.suppress(GraphError, UpstreamUnavailable):
                await gateway.templates.refresh(waba_id, name)
            approved_at = entry.get("time")
            sync_until = (approved_at if isinstance(approved_at, int) else now) + SYNC_SECONDS
        await gateway.templates.update(
            waba_id,
            name,
            language,
            status=status if isinstance(status, str) else None,
            category=category if isinstance(category, str) else None,
            sync_until=sync_until,
        )
    partner_id = await gateway.store.waba_partner(waba_id)
    if partner_id is None:
        return False
    return await gateway.store.record_partner_event(
        partner_id, _single(entry, field, value), waba_id, now
    )
