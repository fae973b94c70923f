"""The emulated Meta login's session: a signed cookie naming the user, and a CSRF
token derived from it for every form. Separate from any partner (Hub) login."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from mmgate.emulator.pages.render import emulator_of, with_query
from mmgate.emulator.world import MetaUser, WorldStore

COOKIE = "mmgate_meta_session"
LIFETIME_SECONDS = 30 * 24 * 3600.0  # on the one clock, like every other time rule


def _secret(worlds: WorldStore) -> bytes:
    if not worlds.world.session_secret:
        worlds.world.session_secret = secrets.token_hex(32)
        worlds.save()
    return worlds.world.session_secret.encode()


def _sign(worlds: WorldStore, message: str) -> str:
    return hmac.new(_secret(worlds), message.encode(), hashlib.sha256).hexdigest()


def start(request: Request, response: Response, user: MetaUser) -> None:
    worlds = emulator_of(request).worlds
    expires = int(worlds.clock.now() + LIFETIME_SECONDS)
    value = f"{user.id}.{expires}"
    response.set_cookie(
        COOKIE, f"{value}.{_sign(worlds, value)}", httponly=True, samesite="lax", path="/"
    )


def end(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


def current_user(request: Request) -> MetaUser | None:
    worlds = emulator_of(request).worlds
    user_id, _, rest = request.cookies.get(COOKIE, "").partition(".")
    expires, _, signature = rest.partition(".")
    if not user_id or not expires.isdigit():
        return None
    if not hmac.compare_digest(signature, _sign(worlds, f"{user_id}.{expires}")):
        return None
    if int(expires) < worlds.clock.now():
        return None
    return worlds.user(user_id)


def csrf_token(request: Request) -> str:
    return _sign(emulator_of(request).worlds, "csrf:" + request.cookies.get(COOKIE, ""))[:32]


def csrf_ok(request: Request, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(submitted or "", csrf_token(request))


def login_url(request: Request) -> str:
    """The login page, coming back here afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return with_query("/manager/login", next=here)
