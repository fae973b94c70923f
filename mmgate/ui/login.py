"""Sign in and out of the Hub. Separate from the emulated Meta login of the onboarding
pages: this one is the partner's own account at the BSP."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from mmgate.gateway.context import gateway_of
from mmgate.storage.port import HubUser
from mmgate.ui import passwords, sessions
from mmgate.ui.context import (
    Hub,
    HubState,
    current,
    forbidden,
    hub_state,
    hub_store,
    login_required,
    unavailable,
)
from mmgate.ui.render import local_path, page, read_form, redirect

HOME = "/hub/"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


async def login_form(request: Request) -> Response:
    if await current(request) is not None:
        return redirect(local_path(request.query_params.get("next")) or HOME)
    return await _render(request, error=None, email="", status=200)


async def _render(request: Request, *, error: str | None, email: str, status: int) -> Response:
    store = hub_store(gateway_of(request))
    if store is None:
        return unavailable()
    state = await hub_state(request, store)
    nonce = request.cookies.get(sessions.LOGIN_COOKIE) or sessions.new_nonce()
    response = page(
        "login.html",
        status,
        partner=None,
        error=error,
        email=email,
        next=local_path(request.query_params.get("next")) or "",
        session_ended=request.query_params.get("ended") == "1",
        session_hours=int(sessions.LIFETIME_SECONDS // 3600),
        csrf=sessions.csrf_token(state.secret, "login", nonce),
    )
    response.set_cookie(
        sessions.LOGIN_COOKIE,
        nonce,
        httponly=True,
        samesite="lax",
        path="/hub",
        secure=_secure(request),
    )
    return response


async def login(request: Request) -> Response:
    gateway = gateway_of(request)
    store = hub_store(gateway)
    if store is None:
        return unavailable()
    state = await hub_state(request, store)
    form = await read_form(request)
    nonce = request.cookies.get(sessions.LOGIN_COOKIE, "")
    if not sessions.csrf_ok(state.secret, "login", nonce, form.get("csrf_token")):
        return forbidden("This sign-in form has expired or did not come from the Hub.")
    email = form.get("email", "").strip()
    address = request.client.host if request.client else "unknown"
    wait = state.throttle.retry_after(email, address)
    if wait is not None:
        minutes = max(1, round(wait / 60))
        error = f"Too many failed attempts. Try again in about {minutes} minute(s)."
        return await _render(request, error=error, email=email, status=429)
    user = await _check(store_user=await store.hub_user_by_email(email), form=form)
    if user is None:
        state.throttle.failed(email, address)
        error = "That email and password do not match a Hub account."
        return await _render(request, error=error, email=email, status=401)
    state.throttle.succeeded(email)
    return _start(request, state, user, local_path(form.get("next")) or HOME)


async def _check(store_user: HubUser | None, form: dict[str, str]) -> HubUser | None:
    password = form.get("password", "")
    stored = store_user.password_hash if store_user else passwords.decoy_hash()
    # scrypt takes ~50 ms of CPU: off the event loop.
    ok = await asyncio.to_thread(passwords.verify_password, password, stored)
    return store_user if ok and store_user is not None else None


def _start(request: Request, state: HubState, user: HubUser, target: str) -> Response:
    now = gateway_of(request).clock.now()
    session = sessions.new_session(user.id, user.session_generation, now)
    response = redirect(target)
    response.set_cookie(
        sessions.SESSION_COOKIE,
        sessions.encode(state.secret, session),
        max_age=int(sessions.LIFETIME_SECONDS),
        httponly=True,
        samesite="lax",
        path="/hub",
        secure=_secure(request),
    )
    response.delete_cookie(sessions.LOGIN_COOKIE, path="/hub")
    return response


@login_required
async def logout(hub: Hub) -> Response:
    await hub.store.hub_end_sessions(hub.user.id)  # voids this cookie and any copy of it
    response = redirect("/hub/login")
    response.delete_cookie(sessions.SESSION_COOKIE, path="/hub")
    return response
