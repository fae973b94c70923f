"""What the gateway does with each Meta webhook field it receives.

- `messages` statuses: mapped to our wamid and relayed to the channel (relay.py);
  `messages` click events (`user_actions`) carry no wamid: relayed to the channel
  that owns the phone number, as-is.
- `account_update`: MM_LITE_TERMS_SIGNED marks the WABA onboarded; relayed to the
  partner as-is (as 360dialog does).
- `message_template_status_update` / `template_category_update`: the template
  knowledge is updated (a re-categorised template changes route on the next send)
  and the event is relayed to the partner.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import msgspec

from mmgate.domain.templates import SYNC_SECONDS, Category
from mmgate.domain.webhooks import envelope
from mmgate.errors import GraphError
from mmgate.gateway.relay import status_updates
from mmgate.gateway.services import Gateway
from mmgate.sdk.webhooks import changes
from mmgate.upstream.graph import UpstreamUnavailable

log = logging.getLogger(__name__)
_json = msgspec.json.Encoder()
TEMPLATE_FIELDS = ("message_template_status_update", "template_category_update")


def _single(entry: dict[str, Any], field: str, value: dict[str, Any]) -> bytes:
    time = entry.get("time")
    entry_id = str(entry.get("id", ""))
    body = envelope(entry_id, field, [value], time=time if isinstance(time, int) else None)
    return _json.encode(body)


async def process(gateway: Gateway, payload: Any) -> None:
    now = gateway.clock.now()
    updates = await status_updates(payload, gateway.store.wamid_for_meta)
    queued = False
    if updates:
        await gateway.store.record_statuses(updates, now)
        queued = True
    for change in changes(payload):
        entry, field, value = change.entry, change.field or "", change.value
        if field == "messages" and value.get("user_actions"):
            queued |= await _relay_click(gateway, entry, value, now)
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


async def _account_update(
    gateway: Gateway, entry: dict[str, Any], value: dict[str, Any], now: float
) -> bool:
    info = value.get("waba_info")
    waba_id = info.get("waba_id") if isinstance(info, dict) else None
    if not isinstance(waba_id, str):
        waba_id = str(entry.get("id", ""))
    if value.get("event") == "MM_LITE_TERMS_SIGNED":
        await gateway.store.set_waba_mm_status(waba_id, "ONBOARDED")
        gateway.wabas.invalidate(waba_id)
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
        await gateway.store.update_template(
            waba_id,
            name,
            language,
            status=status if isinstance(status, str) else None,
            category=category if isinstance(category, str) else None,
            sync_until=sync_until,
        )
        gateway.templates.forget(waba_id, name)
    partner_id = await gateway.store.waba_partner(waba_id)
    if partner_id is None:
        return False
    return await gateway.store.record_partner_event(
        partner_id, _single(entry, field, value), waba_id, now
    )
