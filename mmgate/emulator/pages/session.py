"""The emulated Meta login's session: a signed cookie naming the user, and a CSRF
token derived from it for every form. Separate from any partner (Hub) login."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from mmgate.domain.digits import ascii_digits
from mmgate.emulator.state import Emulator
from mmgate.emulator.world import MetaUser, WorldStore

COOKIE = "mmgate_meta_session"
LIFETIME_SECONDS = 30 * 24 * 3600.0  # on the one clock, like every other time rule


def _worlds(request: Request) -> WorldStore:
    emulator: Emulator = request.app.state.emulator
    return emulator.worlds


def _secret(worlds: WorldStore) -> bytes:
    if not worlds.world.session_secret:
        worlds.world.session_secret = secrets.token_hex(32)
        worlds.save()
    return worlds.world.session_secret.encode()


def _sign(worlds: WorldStore, message: str) -> str:
    return hmac.new(_secret(worlds), message.encode(), hashlib.sha256).hexdigest()


def start(request: Request, response: Response, user: MetaUser) -> None:
    worlds = _worlds(request)
    expires = int(worlds.clock.now() + LIFETIME_SECONDS)
    value = f"{user.id}.{expires}"
    response.set_cookie(
        COOKIE, f"{value}.{_sign(worlds, value)}", httponly=True, samesite="lax", path="/"
    )


def end(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


def current_user(request: Request) -> MetaUser | None:
    worlds = _worlds(request)
    user_id, _, rest = request.cookies.get(COOKIE, "").partition(".")
    expires, _, signature = rest.partition(".")
    if not user_id or not ascii_digits(expires):
        return None
    if not hmac.compare_digest(signature, _sign(worlds, f"{user_id}.{expires}")):
        return None
    if int(expires) < worlds.clock.now():
        return None
    return worlds.user(user_id)


def csrf_token(request: Request) -> str:
    return _sign(_worlds(request), "csrf:" + request.cookies.get(COOKIE, ""))[:32]


def csrf_ok(request: Request, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(submitted or "", csrf_token(request))


def login_url(request: Request) -> str:
    """The login page, coming back here afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/manager/login?" + urlencode({"next": here})
