"""The WhatsApp network: takes a send, decides its fate from the recipient's
behaviour, and schedules its statuses on the clock."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from mmgate.domain.regions import is_us_number
from mmgate.domain.routing import Route
from mmgate.domain.ttl import THIRTY_DAYS
from mmgate.domain.webhooks import status_object, status_value
from mmgate.emulator.scheduler import Scheduler
from mmgate.emulator.users import Behaviour, behaviour_for, display_name
from mmgate.emulator.webhook_sender import WebhookSender
from mmgate.emulator.world import PhoneNumber, Waba
from mmgate.errors import GraphError

SENT_DELAY = 0.05  # Meta's `sent` arrives almost at once
MM_EXTRA_DELIVERY = 0.5  # MM delivery is a little slower than Cloud API (reference §7)


@dataclass(slots=True)
class SimMessage:
    meta_wamid: str
    waba_id: str
    phone: PhoneNumber
    wa_id: str
    pricing_category: str
    is_marketing: bool
    route: Route
    callback_data: str | None
    graph_version: int
    sent_at: float
    expires_at: float
    conversation_id: str


class Network:
    def __init__(self, scheduler: Scheduler, sender: WebhookSender) -> None:
        self._scheduler = scheduler
        self._sender = sender
        self.overrides: dict[str, Behaviour] = {}

    def deliver(self, message: SimMessage) -> None:
        """Schedule the lifecycle of one accepted message."""
        behaviour = behaviour_for(message.wa_id, self.overrides)
        now = message.sent_at
        failure = self._failure(message, behaviour)
        if failure is not None:
            self._at(now + SENT_DELAY, message, "failed", error=failure)
            return
        self._at(now + SENT_DELAY, message, "sent")
        if behaviour.online_after_seconds is None:
            return  # never online: the message expires silently, as on Meta
        delay = behaviour.delivery_delay_seconds
        if message.route is Route.MM_API:
            delay += MM_EXTRA_DELIVERY
        delivered_at = now + behaviour.online_after_seconds + delay
        if delivered_at > message.expires_at:
            return  # TTL passed before the user came online: dropped
        self._at(delivered_at, message, "delivered")
        if behaviour.reads:
            self._at(delivered_at + behaviour.read_delay_seconds, message, "read")

    @staticmethod
    def _failure(message: SimMessage, behaviour: Behaviour) -> GraphError | None:
        if not behaviour.on_whatsapp:
            return GraphError(131026)
        if message.is_marketing:
            if is_us_number(message.wa_id) or behaviour.at_marketing_limit:
                return GraphError(131049)
            if behaviour.opted_out_of_marketing:
                return GraphError(131050)
        return None

    def _at(
        self, due: float, message: SimMessage, status: str, *, error: GraphError | None = None
    ) -> None:
        self._scheduler.at(due, lambda now: self._emit(message, status, now, error))

    def _emit(self, message: SimMessage, status: str, now: float, error: GraphError | None) -> None:
        # pricing (and conversation before v24) ride on `sent` and on `delivered` only.
        priced = status in ("sent", "delivered")
        with_conversation = priced and message.graph_version < 24
        body = status_object(
            meta_wamid=message.meta_wamid,
            status=status,
            timestamp=now,
            wa_id=message.wa_id,
            pricing_category=message.pricing_category if priced else None,
            conversation_id=message.conversation_id if with_conversation else None,
            conversation_expires=message.sent_at + 86400 if status == "sent" else None,
            callback_data=message.callback_data,
            errors=[error.webhook_error()] if error is not None else None,
        )
        value = status_value(
            phone_number_id=message.phone.id,
            display_phone_number=message.phone.display_phone_number,
            wa_id=message.wa_id,
            profile_name=display_name(message.wa_id),
            status=body,
        )
        self._sender.emit(message.waba_id, "messages", value, now, chain=message.meta_wamid)


def route_at_meta(
    endpoint: str, is_marketing: bool, onboarded: bool, strict: bool, waba: Waba
) -> Route:
    """Meta's own decision for a send it accepted (reference §4.1)."""
    if endpoint == "marketing_messages":
        if onboarded:
            return Route.MM_API
        if strict:
            raise GraphError(134102)
    if is_marketing and waba.disable_marketing_messages_on_cloud_api:
        raise GraphError(131063)
    return Route.CLOUD_API


def new_conversation_id() -> str:
    return secrets.token_hex(16)


DEFAULT_EXPIRY = THIRTY_DAYS
