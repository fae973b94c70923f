"""A simulated user's phone (`/sandbox/phone/{number}`): the chat as that WhatsApp user
sees it, with ticks, and the user's own controls (open the chat, tap a link, go
offline or online, stop or resume marketing messages). Plain forms, no JavaScript.

Access is the sandbox's: the `X-Sandbox-Key` header, or, for a browser, a cookie
given once the key is typed into the page's form (HttpOnly, SameSite=Strict, an
HMAC keyed by the stored key hash: it stops working when the key changes). Forms
carry a CSRF token derived from that cookie.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.domain.digits import ascii_digits
from mmgate.emulator import user_actions
from mmgate.emulator.clicks import Tap, TapRefused
from mmgate.emulator.conversations import UserMessage
from mmgate.emulator.messages import SimMessage
from mmgate.emulator.network import Network
from mmgate.emulator.pages.render import emulator_of, form, page, redirect, with_query
from mmgate.emulator.rendering import Rendered, render
from mmgate.emulator.replies import ActionRefused
from mmgate.emulator.state import Emulator
from mmgate.emulator.user_actions import UserAction
from mmgate.ids import key_hash

COOKIE = "mmgate_sandbox_phone"
COOKIE_PATH = "/sandbox/phone"
HEADER = "x-sandbox-key"
ACTIONS = frozenset({"open", "tap", "offline", "online", "opt_out", "opt_in"})
USER_ACTIONS = frozenset(
    {"write", "quick_reply", "interactive", "react"}
)  # the user writes (replies.py)


@dataclass(frozen=True, slots=True)
class Bubble:
    """One message in the chat, ready for the template."""

    message: SimMessage | None  # None for the user's own messages
    view: Rendered
    state: str  # sent | delivered | read | failed | expired | pending
    error: str | None
    body_link: bool
    at: float = 0.0
    written: UserMessage | None = None  # the user's own message


@dataclass(frozen=True, slots=True)
class Window:
    """The customer service window with one business number."""

    display_phone_number: str
    closes_at: float | None
    open: bool
    marketing_stopped: bool


def _mac(emulator: Emulator, message: str) -> str | None:
    secret = emulator.worlds.world.sandbox_key_hash
    if secret is None:
        return None
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _cookie_value(emulator: Emulator) -> str | None:
    return _mac(emulator, "phone-access")


def _by_header(emulator: Emulator, request: Request) -> bool:
    expected = emulator.worlds.world.sandbox_key_hash
    given = request.headers.get(HEADER)
    return (
        expected is not None
        and given is not None
        and hmac.compare_digest(expected, key_hash(given))
    )


def _by_cookie(emulator: Emulator, request: Request) -> bool:
    expected = _cookie_value(emulator)
    return expected is not None and hmac.compare_digest(request.cookies.get(COOKIE, ""), expected)


def _csrf(emulator: Emulator, request: Request) -> str:
    return (_mac(emulator, "phone-csrf:" + request.cookies.get(COOKIE, "")) or "")[:32]


def _number(request: Request) -> str | None:
    number = str(request.path_params["number"]).lstrip("+")
    return number if ascii_digits(number) and len(number) <= 20 else None


def _bubble(message: SimMessage, now: float) -> Bubble:
    view = render(message)
    state = message.status if message.status != "accepted" else "pending"
    if state in ("pending", "sent") and now > message.expires_at:
        state = "expired"  # never delivered within its TTL: Meta dropped it
    link = view.link("body") is not None
    return Bubble(message, view, state, message.failure, link, at=message.sent_at)


async def phone(request: Request) -> Response:
    emulator = emulator_of(request)
    number = _number(request)
    if number is None:
        return page(request, "phone_unlock.html", 400, number="", error="Not a phone number.")
    if not (_by_header(emulator, request) or _by_cookie(emulator, request)):
        return page(request, "phone_unlock.html", 401, number=number, error=None)
    network, now = emulator.network, emulator.clock.now()
    chat = network.chats.chat(number)
    bubbles = [_bubble(m, now) for m in chat]
    bubbles += [_mine(w) for w in network.conversations.written_by(number)]
    bubbles.sort(key=lambda b: b.at)
    return page(
        request,
        "phone.html",
        number=number,
        now=now,
        bubbles=bubbles,
        windows=_windows(network, number, chat, now),
        # The stop/resume button acts on the business that wrote last (user_actions.py).
        stopped=bool(chat) and network.conversations.marketing_stopped(chat[-1].waba_id, number),
        offline=number in network.offline,
        behaviour=network.behaviour(number),
        phone_csrf=_csrf(emulator, request),
        result=_result(request),
    )


def _mine(written: UserMessage) -> Bubble:
    view = Rendered(body=written.shown)
    return Bubble(None, view, "sent", None, False, at=written.sent_at, written=written)


def _windows(network: Network, number: str, chat: list[SimMessage], now: float) -> list[Window]:
    seen: dict[str, tuple[str, str]] = {}
    items: list[SimMessage | UserMessage] = [*chat, *network.conversations.written_by(number)]
    for item in items:
        seen[item.phone.id] = (item.phone.display_phone_number, item.waba_id)
    windows = []
    for phone_id, (display, waba_id) in seen.items():
        closes = network.conversations.window_closes_at(phone_id, number)
        stopped = network.conversations.marketing_stopped(waba_id, number)
        windows.append(Window(display, closes, closes is not None and now < closes, stopped))
    return windows


def _result(request: Request) -> dict[str, Any] | None:
    q = request.query_params
    if "visited" not in q and "refused" not in q:
        return None
    return {k: q.get(k) for k in ("visited", "click_id", "reported", "reason", "refused")}


def _marketing(emulator: Emulator, number: str, stop: bool, phone_number_id: str | None) -> None:
    """Stop or resume marketing from the business that wrote last (a user_preferences
    webhook); with no business in the chat yet, from every business (no webhook: Meta
    has nobody to tell), as the recipient's behaviour."""
    network = emulator.network
    try:
        user_actions.set_marketing(emulator, number, "stop" if stop else "resume", phone_number_id)
    except ActionRefused:
        if stop:
            network.set_marketing_opt_out(number, True)
    if not stop and network.behaviour(number).opted_out_of_marketing:
        network.set_marketing_opt_out(number, False)


def _user_action(emulator: Emulator, number: str, fields: dict[str, str], here: str) -> str:
    """Write, tap a quick reply or react, as the sandbox API does (user_actions.py)."""
    action = fields.get("action", "")
    wamid = fields.get("wamid") or None
    try:
        if action == "write":
            wanted = UserAction(text=fields.get("text", ""), reply_to=wamid)
        elif action == "interactive":
            wanted = UserAction(interactive_reply=fields.get("reply_id", ""), reply_to=wamid)
        elif action == "quick_reply":
            index = fields.get("index", "0")
            if not ascii_digits(index) or len(index) > 2:
                raise ValueError(index)
            wanted = UserAction(quick_reply=int(index), reply_to=wamid)
        else:
            wanted = UserAction(reaction=fields.get("emoji", "👍"), reply_to=wamid)
        user_actions.perform(emulator, number, wanted)
    except ValueError:
        return with_query(here, refused="Not a button.")
    except ActionRefused as refused:
        return with_query(here, refused=str(refused))
    return here


async def unlock(request: Request) -> Response:
    """The sandbox key typed into the page: a cookie for this browser."""
    emulator = emulator_of(request)
    number = _number(request) or ""
    fields = await form(request)
    expected = emulator.worlds.world.sandbox_key_hash
    given = fields.get("key", "")
    value = _cookie_value(emulator)
    if expected is None or value is None or not hmac.compare_digest(expected, key_hash(given)):
        return page(request, "phone_unlock.html", 401, number=number, error="Wrong sandbox key.")
    response = redirect(f"{COOKIE_PATH}/{number}")
    response.set_cookie(COOKIE, value, httponly=True, samesite="strict", path=COOKIE_PATH)
    return response


async def act(request: Request) -> Response:
    emulator = emulator_of(request)
    number = _number(request)
    fields = await form(request)
    allowed = _by_header(emulator, request) or (
        _by_cookie(emulator, request)
        and hmac.compare_digest(fields.get("csrf", ""), _csrf(emulator, request))
    )
    if number is None or not allowed:
        return page(request, "phone_unlock.html", 403, number=number or "", error="Not allowed.")
    action = fields.get("action", "")
    if action not in ACTIONS | USER_ACTIONS:
        return page(request, "phone_unlock.html", 400, number=number, error="Unknown action.")
    here = f"{COOKIE_PATH}/{number}"
    network, now = emulator.network, emulator.clock.now()
    if action == "open":
        network.open_chat(number, now)
    elif action == "offline":
        network.go_offline(number)
        await emulator.journal.committed()  # still offline after a restart
    elif action == "online":
        network.go_online(number, now)
        await emulator.journal.committed()
    elif action in ("opt_out", "opt_in"):
        _marketing(emulator, number, action == "opt_out", fields.get("phone_number_id"))
        await emulator.journal.committed()  # a stop outlives a crash
    elif action in USER_ACTIONS:
        target = _user_action(emulator, number, fields, here)
        await emulator.journal.committed()
        return redirect(target)
    else:
        target = _tap(network, number, fields, now, here)
        await emulator.journal.committed()  # its tracking token outlives a restart
        return redirect(target)
    return redirect(here)


def _tap(network: Network, number: str, fields: dict[str, str], now: float, here: str) -> str:
    wamid = fields.get("wamid", "")
    message = next((m for m in network.chats.chat(number) if m.meta_wamid == wamid), None)
    if message is None:
        return with_query(here, refused="That message is no longer on this phone.")
    try:
        tap: Tap = network.tap(message, fields.get("component", "cta"), now)
    except TapRefused as refused:
        return with_query(here, refused=str(refused))
    return with_query(
        here,
        visited=tap.url,
        click_id=tap.click_id,
        reported="yes" if tap.webhook else "no",
        reason=tap.reason,
    )


routes = [
    Route("/sandbox/phone/{number}", phone, methods=["GET"]),
    Route("/sandbox/phone/{number}", act, methods=["POST"]),
    Route("/sandbox/phone/{number}/unlock", unlock, methods=["POST"]),
]
