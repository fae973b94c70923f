"""One entry point for what a simulated user does, shared by the sandbox API and the
phone page: find the business and the message acted on, then act (replies.py)."""

from __future__ import annotations

import msgspec

from mmgate.emulator.conversations import UserMessage
from mmgate.emulator.messages import SimMessage
from mmgate.emulator.replies import ActionRefused, Business, business_of
from mmgate.emulator.state import Emulator

REACTION_MAX = 16  # an emoji (possibly several code points), not a text


class UserAction(msgspec.Struct, forbid_unknown_fields=True):
    """Exactly one of `text`, `quick_reply` (a template button's index), `interactive_reply`
    (an interactive message's button or row id) or `reaction`; `reply_to` names the
    message answered (Meta's wamid or the gateway's)."""

    text: str | None = None
    quick_reply: int | None = None
    interactive_reply: str | None = None
    reaction: str | None = None
    reply_to: str | None = None
    phone_number_id: str | None = None


def perform(emulator: Emulator, wa_id: str, action: UserAction) -> UserMessage:
    given = (action.text, action.quick_reply, action.interactive_reply, action.reaction)
    if len([a for a in given if a is not None]) != 1:
        raise ActionRefused("give exactly one of text, quick_reply, interactive_reply or reaction")
    message = _answered(emulator, wa_id, action.reply_to)
    to = business_for(emulator, wa_id, action.phone_number_id, message)
    replies, now = emulator.network.replies, emulator.clock.now()
    if action.text is not None:
        return replies.text(wa_id, to, action.text, now, reply_to=message)
    if message is None:
        raise ActionRefused("reply_to is required to tap a button or react")
    if action.quick_reply is not None:
        return replies.quick_reply(message, action.quick_reply, to, now)
    if action.interactive_reply is not None:
        return replies.choose(message, action.interactive_reply, to, now)
    reaction = action.reaction or ""
    if not reaction or len(reaction) > REACTION_MAX:
        raise ActionRefused("reaction must be one emoji")
    return replies.react(message, reaction, to, now)


def set_marketing(
    emulator: Emulator, wa_id: str, value: str, phone_number_id: str | None = None
) -> tuple[Business, bool]:
    to = business_for(emulator, wa_id, phone_number_id, None)
    changed = emulator.network.replies.set_marketing(wa_id, to, value, emulator.clock.now())
    return to, changed


def _answered(emulator: Emulator, wa_id: str, wamid: str | None) -> SimMessage | None:
    if not wamid:
        return None
    message = emulator.network.chats.find(wamid)
    if message is None or message.wa_id != wa_id:
        raise ActionRefused("no such message on this user's phone (recent chats only)")
    if message.status not in ("delivered", "read"):
        raise ActionRefused(f"the message is not on the phone (status {message.status})")
    return message


def business_for(
    emulator: Emulator, wa_id: str, phone_number_id: str | None, message: SimMessage | None
) -> Business:
    """The message's business; else the number named; else whoever wrote last."""
    if message is not None:
        return business_of(message)
    if phone_number_id:
        found = emulator.worlds.number(phone_number_id)
        if found is None:
            raise ActionRefused(f"no business phone number {phone_number_id}")
        phone, waba = found
        return Business(phone, waba.id, waba.business_id)
    chat = emulator.network.chats.chat(wa_id)
    if not chat:
        raise ActionRefused("no business has written to this user: give phone_number_id")
    return business_of(chat[-1])
