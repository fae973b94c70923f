"""The user's side of a chat: writing, replying, tapping a quick reply, reacting, and
stopping or resuming marketing messages. Each action becomes Meta's webhook for it
(user_webhooks.py), chained per user and business number so they arrive in order.

The business a user writes to is named by the message answered, or by its phone
number id; with neither, the business that last wrote to the user.
"""

from __future__ import annotations

from dataclasses import dataclass

from mmgate.emulator import user_webhooks as shapes
from mmgate.emulator.chats import ChatBook
from mmgate.emulator.conversations import Conversations, UserMessage
from mmgate.emulator.interactive import choices, reply_object
from mmgate.emulator.messages import SimMessage
from mmgate.emulator.webhook_sender import WebhookSender
from mmgate.emulator.world import PhoneNumber
from mmgate.ids import new_wamid

MAX_TEXT = 4096  # WhatsApp's limit on a text message
OPT_OUT_TEXTS = frozenset({"stop promotions"})  # Meta's marketing opt-out button label


class ActionRefused(Exception):
    """The user cannot do that (nothing to answer, no such button, …)."""


@dataclass(frozen=True, slots=True)
class Business:
    """The business number a user talks to."""

    phone: PhoneNumber
    waba_id: str
    business_id: str


class Replies:
    def __init__(
        self, sender: WebhookSender, chats: ChatBook, conversations: Conversations
    ) -> None:
        self._sender = sender
        self._chats = chats
        self.conversations = conversations
        self.identity = shapes.Identity()
        self.written = 0

    def text(
        self, wa_id: str, to: Business, body: str, now: float, reply_to: SimMessage | None = None
    ) -> UserMessage:
        if not body.strip() or len(body) > MAX_TEXT:
            raise ActionRefused(f"a text message is 1 to {MAX_TEXT} characters")
        message: dict[str, object] = {"text": {"body": body}, "type": "text"}
        if reply_to is not None:
            message = {"context": shapes.context_of(to.phone, reply_to.meta_wamid), **message}
        return self._write(wa_id, to, message, body, now)

    def quick_reply(self, message: SimMessage, index: int, to: Business, now: float) -> UserMessage:
        """A tap on a template's quick-reply button: a `button` message naming the
        template message in `context`; the opt-out button also stops marketing."""
        text, payload = _quick_reply(message, index)
        body: dict[str, object] = {
            "context": shapes.context_of(to.phone, message.meta_wamid),
            "type": "button",
            "button": {"payload": payload, "text": text},
        }
        written = self._write(message.wa_id, to, body, f"[{text}]", now)
        if text.strip().lower() in OPT_OUT_TEXTS:
            self.set_marketing(message.wa_id, to, "stop", now)
        return written

    def choose(self, message: SimMessage, reply_id: str, to: Business, now: float) -> UserMessage:
        """A tap on an interactive message's reply button or list row."""
        found = next((c for c in choices(message.interactive or {}) if c.id == reply_id), None)
        if found is None:
            raise ActionRefused(f"the message has no button or row with id {reply_id!r}")
        body: dict[str, object] = {
            "context": shapes.context_of(to.phone, message.meta_wamid),
            "type": "interactive",
            "interactive": reply_object(found),
        }
        return self._write(message.wa_id, to, body, f"[{found.title}]", now)

    def react(self, message: SimMessage, emoji: str, to: Business, now: float) -> UserMessage:
        reaction = {"message_id": message.meta_wamid, "emoji": emoji}
        body: dict[str, object] = {"type": "reaction", "reaction": reaction}
        return self._write(message.wa_id, to, body, f"reacted {emoji}", now)

    def set_marketing(self, wa_id: str, to: Business, value: str, now: float) -> bool:
        """Stop or resume marketing messages from `to`'s business; the webhook goes out
        only when the preference changes."""
        if value not in ("stop", "resume"):
            raise ActionRefused("value must be stop or resume")
        if not self.conversations.set_marketing(to.waba_id, wa_id, value == "stop"):
            return False
        contact = self.identity.contact(wa_id, to.business_id)
        event = shapes.preferences_value(
            to.phone, contact, wa_id, value, now, with_user_id=self.identity.usernames
        )
        self._sender.emit(to.waba_id, "user_preferences", event, now, chain=_chain(wa_id, to))
        return True

    def _write(
        self, wa_id: str, to: Business, body: dict[str, object], shown: str, now: float
    ) -> UserMessage:
        wamid = new_wamid(wa_id)
        context = body.pop("context", None)
        message: dict[str, object] = {} if context is None else {"context": context}
        message |= self.identity.sender(wa_id, to.business_id)
        message |= {"id": wamid, "timestamp": str(int(now)), **body}
        written = UserMessage(wamid, wa_id, to.phone, to.waba_id, now, shown, dict(message))
        self.conversations.user_wrote(written)
        contact = self.identity.contact(wa_id, to.business_id)
        value = shapes.message_value(to.phone, contact, message)
        self._sender.emit(to.waba_id, "messages", value, now, chain=_chain(wa_id, to))
        self.written += 1
        return written


def business_of(message: SimMessage) -> Business:
    return Business(message.phone, message.waba_id, message.business_id)


def _chain(wa_id: str, to: Business) -> str:
    return f"user:{to.phone.id}:{wa_id}"


def _quick_reply(message: SimMessage, index: int) -> tuple[str, str]:
    """(button text, payload) of the template's button at `index`; the payload is the
    send's `quick_reply` parameter for that index, or the button text without one."""
    if message.template is None:
        raise ActionRefused("only a template message has quick-reply buttons")
    buttons = [
        b
        for c in message.template.components
        if str(c.get("type", "")).upper() == "BUTTONS"
        for b in c.get("buttons") or []
    ]
    if not 0 <= index < len(buttons):
        raise ActionRefused(f"the template has no button {index}")
    button = buttons[index]
    if str(button.get("type", "")).upper() != "QUICK_REPLY":
        raise ActionRefused(f"button {index} is not a quick reply")
    text = str(button.get("text", ""))
    for component in (message.content.components or []) if message.content else []:
        if component.type.lower() == "button" and str(component.index) == str(index):
            for parameter in component.parameters:
                if parameter.get("type") == "payload":
                    return text, str(parameter.get("payload", ""))
    return text, text
