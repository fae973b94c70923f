"""The sandbox API for users who write back (`/sandbox/users/{number}/...`):
send a message (text, a reply, a quick-reply tap, a reaction), stop or resume
marketing messages, and see the user's customer service windows."""

from __future__ import annotations

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.domain.digits import ascii_digits
from mmgate.emulator import user_actions
from mmgate.emulator.conversations import UserMessage
from mmgate.emulator.messages import SimMessage
from mmgate.emulator.replies import ActionRefused
from mmgate.emulator.sandbox_api import require_sandbox_key
from mmgate.emulator.state import Emulator
from mmgate.errors import Refusal
from mmgate.web.responses import json_response


class MarketingChange(msgspec.Struct, forbid_unknown_fields=True):
    value: str  # stop | resume
    phone_number_id: str | None = None


def _number(request: Request) -> str | None:
    number = str(request.path_params["number"]).lstrip("+")
    return number if ascii_digits(number) and len(number) <= 20 else None


async def send(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    require_sandbox_key(emulator, request)
    number = _number(request)
    if number is None:
        raise Refusal(400, "The number must be digits in international format.")
    try:
        action = msgspec.json.decode(await request.body(), type=user_actions.UserAction)
        written = user_actions.perform(emulator, number, action)
        await emulator.journal.committed()  # the window it opens outlives a crash
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise Refusal(400, f"Invalid user action: {exc}") from None
    except ActionRefused as refused:
        raise Refusal(409, str(refused)) from None
    return json_response(
        {
            "id": written.meta_wamid,
            "phone_number_id": written.phone.id,
            "message": written.message,
        }
    )


async def marketing(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    require_sandbox_key(emulator, request)
    number = _number(request)
    if number is None:
        raise Refusal(400, "The number must be digits in international format.")
    try:
        change = msgspec.json.decode(await request.body(), type=MarketingChange)
        to, changed = user_actions.set_marketing(
            emulator, number, change.value, change.phone_number_id
        )
        await emulator.journal.committed()
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise Refusal(400, f'Expected {{"value": "stop" | "resume"}}: {exc}') from None
    except ActionRefused as refused:
        raise Refusal(409, str(refused)) from None
    return json_response({"waba_id": to.waba_id, "value": change.value, "changed": changed})


async def user(request: Request) -> Response:
    """The user's windows and marketing preference per business that wrote to them."""
    emulator: Emulator = request.app.state.emulator
    require_sandbox_key(emulator, request)
    number = _number(request)
    if number is None:
        raise Refusal(400, "The number must be digits in international format.")
    conversations, now = emulator.network.conversations, emulator.clock.now()
    phones: dict[str, SimMessage | UserMessage] = {
        m.phone.id: m for m in emulator.network.chats.chat(number)
    }
    phones.update((m.phone.id, m) for m in conversations.written_by(number))
    businesses = []
    for phone_id, seen in phones.items():
        closes = conversations.window_closes_at(phone_id, number)
        businesses.append(
            {
                "phone_number_id": phone_id,
                "waba_id": seen.waba_id,
                "window_open": closes is not None and now < closes,
                "window_closes_at": closes,
                "marketing_stopped": conversations.marketing_stopped(seen.waba_id, number),
            }
        )
    return json_response({"number": number, "businesses": businesses})


routes = [
    Route("/sandbox/users/{number}", user, methods=["GET"]),
    Route("/sandbox/users/{number}/messages", send, methods=["POST"]),
    Route("/sandbox/users/{number}/marketing", marketing, methods=["POST"]),
]
