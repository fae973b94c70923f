"""The WhatsApp network: takes a send, decides its fate from the recipient's
behaviour, and schedules its statuses (and the user's taps) on the clock.

The phone page acts through it too: opening a chat, tapping a link, going offline
or online, stopping marketing messages.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from functools import partial
from typing import Protocol

import msgspec

from mmgate.domain.regions import is_us_number
from mmgate.domain.routing import Route
from mmgate.domain.ttl import THIRTY_DAYS
from mmgate.domain.webhooks import status_object, status_value
from mmgate.emulator.chats import ChatBook
from mmgate.emulator.clicks import Clicker, Tap, TapRefused
from mmgate.emulator.conversations import Conversations
from mmgate.emulator.messages import SimMessage
from mmgate.emulator.pair_limit import PairLimiter
from mmgate.emulator.population import Population
from mmgate.emulator.replies import ActionRefused, Replies, business_of
from mmgate.emulator.scheduler import Scheduler
from mmgate.emulator.users import Behaviour, behaviour_for, display_name
from mmgate.emulator.webhook_sender import WebhookSender
from mmgate.emulator.world import Waba
from mmgate.errors import GraphError

__all__ = ["DEFAULT_EXPIRY", "Network", "SimMessage", "new_conversation_id", "route_at_meta"]

SENT_DELAY = 0.05  # Meta's `sent` arrives almost at once
MM_EXTRA_DELIVERY = 0.5  # MM delivery is a little slower than Cloud API (reference §7)


class FollowUps(Protocol):
    """Told when a user will tap or answer a message once read, and when they have, so
    a journal keeps the message until then (emulator/durable.py)."""

    def hold(self, meta_wamid: str) -> None: ...

    def release(self, meta_wamid: str) -> None: ...


class Network:
    def __init__(self, scheduler: Scheduler, sender: WebhookSender) -> None:
        self._scheduler = scheduler
        self._sender = sender
        self.overrides: dict[str, Behaviour] = {}
        self.population = Population()
        self.chats = ChatBook()
        self.clicker = Clicker(sender)
        self.offline: set[str] = set()  # switched offline on the phone page
        self.on_offline: Callable[[str, bool], None] | None = None  # journaled (durable.py)
        self.on_tap: Callable[[SimMessage], None] | None = None  # journaled (durable.py)
        self._held: dict[str, list[SimMessage]] = {}  # reached the network while offline
        # Max price: when (or whether) a message may reach the phone, and who watches
        # statuses for spend and insights (emulator/market_gate.py).
        self.delivery_gate: Callable[[SimMessage, float], float | None] | None = None
        self.on_status: Callable[[SimMessage, str, float], None] | None = None
        self.conversations = Conversations()
        self.pair_limit = PairLimiter()
        self.replies = Replies(sender, self.chats, self.conversations)
        self.followups: FollowUps | None = None

    def behaviour(self, wa_id: str) -> Behaviour:
        return behaviour_for(wa_id, self.overrides, self.population)

    def deliver(self, message: SimMessage) -> None:
        """Schedule the lifecycle of one accepted message."""
        behaviour = self.behaviour(message.wa_id)
        self.chats.add(message)
        now = message.sent_at
        failure = self._failure(message, behaviour)
        if failure is not None:
            self._at(now + SENT_DELAY, message, "failed", failure)
            return
        self._at(now + SENT_DELAY, message, "sent")
        if behaviour.online_after_seconds is None:
            return  # never online: the message expires silently, as on Meta
        self._arrive(message, behaviour, now + behaviour.online_after_seconds)

    def resume(self, message: SimMessage) -> None:
        """A message Meta had accepted before a restart (emulator/durable.py): its fate
        was decided when it was accepted, so what is left of its lifecycle is scheduled
        again from its own times (what is already due fires at once)."""
        if message.status == "accepted":
            self.deliver(message)
            return
        self.chats.add(message)
        behaviour = self.behaviour(message.wa_id)
        if behaviour.online_after_seconds is not None:
            self._arrive(message, behaviour, message.sent_at + behaviour.online_after_seconds)

    def _arrive(self, message: SimMessage, behaviour: Behaviour, online_at: float) -> None:
        """The phone is online at `online_at`: delivery, then what the user does."""
        delay = behaviour.delivery_delay_seconds
        if message.route is Route.MM_API:
            extra = behaviour.mm_extra_delay_seconds
            delay += MM_EXTRA_DELIVERY if extra is None else extra
        delivered_at = online_at + delay
        if self.delivery_gate is not None:
            gated = self.delivery_gate(message, delivered_at)
            if gated is None:
                return  # no clearing price at or below its max price within the TTL
            delivered_at = gated
        if delivered_at > message.expires_at:
            return  # TTL passed before the user came online: dropped
        self._at(delivered_at, message, "delivered")
        if not behaviour.reads:
            return
        read_at = delivered_at + behaviour.read_delay_seconds
        self._at(read_at, message, "read")
        if behaviour.taps_cta:
            due = read_at + behaviour.tap_delay_seconds
            self._follow_up(due, partial(self._auto_tap, message), message)
        if behaviour.answers is not None:
            due = read_at + behaviour.answer_delay_seconds
            self._follow_up(due, partial(self._auto_answer, message, behaviour.answers), message)

    def _follow_up(self, due: float, act: Callable[[float], None], message: SimMessage) -> None:
        followups = self.followups
        if followups is None:
            self._scheduler.at(due, act, self)
            return
        followups.hold(message.meta_wamid)

        def then_release(now: float) -> None:
            try:
                act(now)
            finally:
                followups.release(message.meta_wamid)

        self._scheduler.at(due, then_release, self)

    def _failure(self, message: SimMessage, behaviour: Behaviour) -> GraphError | None:
        if not behaviour.on_whatsapp:
            return GraphError(131026)
        wa_id, at = message.wa_id, message.sent_at
        if message.template is None and not self.conversations.window_open(
            message.phone.id, wa_id, at
        ):
            return GraphError(131047)  # free-form outside the customer service window
        if message.is_marketing:
            if is_us_number(wa_id) or behaviour.at_marketing_limit:
                return GraphError(131049)
            stopped = self.conversations.marketing_stopped(message.waba_id, wa_id)
            if behaviour.opted_out_of_marketing or stopped:
                return GraphError(131050)
        return None

    def _at(
        self, due: float, message: SimMessage, status: str, error: GraphError | None = None
    ) -> None:
        self._scheduler.at(due, partial(self._emit, message, status, error), self)

    def _emit(self, message: SimMessage, status: str, error: GraphError | None, now: float) -> None:
        if status == "delivered" and message.wa_id in self.offline:
            self._held.setdefault(message.wa_id, []).append(message)
            return  # waits until the phone page puts the phone back online
        if status == "read" and message.status != "delivered":
            return  # never read before it is on the phone, never read twice
        if not message.advance_to(status):
            return
        if error is not None:
            message.failure = error.message
        if self.on_status is not None:
            self.on_status(message, status, now)
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
        self.replies.identity.apply_to_status(value, message.wa_id, message.business_id, status)
        self._sender.emit(message.waba_id, "messages", value, now, chain=message.meta_wamid)

    def _auto_tap(self, message: SimMessage, now: float) -> None:
        if message.status == "read":
            # A template without a URL button has nothing to tap.
            with contextlib.suppress(TapRefused):
                self._tap_link(message, "cta", now)

    def _auto_answer(self, message: SimMessage, answer: str, now: float) -> None:
        """A scripted user answers what they read: `quick_reply:<i>`, `stop_marketing`,
        or any other text, sent as a reply to the message."""
        to = business_of(message)
        with contextlib.suppress(ActionRefused):  # e.g. a template without quick replies
            if answer.startswith("quick_reply:"):
                self.replies.quick_reply(message, int(answer.split(":", 1)[1]), to, now)
            elif answer == "stop_marketing":
                self.replies.set_marketing(message.wa_id, to, "stop", now)
            else:
                self.replies.text(message.wa_id, to, answer, now, reply_to=message)

    # -- the user's own actions (phone page, sandbox) ----------------------------------

    def open_chat(self, wa_id: str, now: float) -> int:
        """The user opens the chat: every message on the phone becomes read."""
        opened = [m for m in self.chats.chat(wa_id) if m.status == "delivered"]
        for message in opened:
            self._emit(message, "read", None, now)
        return len(opened)

    def tap(self, message: SimMessage, component: str, now: float) -> Tap:
        """A tap opens the chat first (a read, if not read yet), then the link."""
        if message.status == "delivered":
            self._emit(message, "read", None, now)
        return self._tap_link(message, component, now)

    def _tap_link(self, message: SimMessage, component: str, now: float) -> Tap:
        tap = self.clicker.tap(message, component, now)
        if self.on_tap is not None:
            self.on_tap(message)  # one tracking token per message, across restarts too
        if self.on_status is not None:
            self.on_status(message, "clicked", now)  # insights count link clicks
        return tap

    def go_offline(self, wa_id: str) -> None:
        self.offline.add(wa_id)
        if self.on_offline is not None:
            self.on_offline(wa_id, True)

    def go_online(self, wa_id: str, now: float) -> None:
        """Back online: what reached the network meanwhile arrives, if its TTL allows."""
        self.offline.discard(wa_id)
        if self.on_offline is not None:
            self.on_offline(wa_id, False)
        behaviour = self.behaviour(wa_id)
        for message in self._held.pop(wa_id, []):
            self._arrive(message, behaviour, now)

    def set_marketing_opt_out(self, wa_id: str, opted_out: bool) -> None:
        """ "Stop marketing messages" (or resume): later marketing sends fail 131050."""
        current = self.behaviour(wa_id)
        self.overrides[wa_id] = msgspec.structs.replace(current, opted_out_of_marketing=opted_out)

    def reset(self) -> int:
        """Back to a clean network: no overrides, happy population, no chats, no pending
        message events (returns how many were dropped). Webhooks already handed to the
        sender still go out: Meta had sent them."""
        self.overrides.clear()
        self.population = Population()
        self.chats.clear()
        self.conversations.clear()
        self.pair_limit.clear()
        self.offline.clear()
        self._held.clear()
        self.clicker.reported = 0
        return self._scheduler.drop(self)


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


_ids = random.Random()  # not a secret: an id; os.urandom per message cost ~4% of the emulator


def new_conversation_id() -> str:
    return f"{_ids.getrandbits(128):032x}"


DEFAULT_EXPIRY = THIRTY_DAYS
