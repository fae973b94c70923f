"""The emulated Meta login (`/manager/login`): users who administer Business Managers.

Failed sign-ins are limited per email and per client address (as the Hub's are), on the
one clock: past the limit the form answers 429 until the window moves on.
"""

from __future__ import annotations

import math
import weakref

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.domain.rate_limits import LoginThrottle
from mmgate.emulator.meta_users import authenticate
from mmgate.emulator.pages import session
from mmgate.emulator.pages.render import emulator_of, form, local_path, page, redirect

_throttles: weakref.WeakKeyDictionary[object, LoginThrottle] = weakref.WeakKeyDictionary()


def _throttle(request: Request) -> LoginThrottle:
    found = _throttles.get(request.app)
    if found is None:
        found = _throttles[request.app] = LoginThrottle(emulator_of(request).worlds.clock)
    return found


async def login(request: Request) -> Response:
    if request.method == "GET":
        next_path = local_path(request.query_params.get("next")) or "/manager/"
        return page(request, "login.html", next=next_path, error=None, email="")
    fields = await form(request)
    next_path = local_path(fields.get("next")) or "/manager/"
    email = fields.get("email", "")
    worlds = emulator_of(request).worlds
    address = request.client.host if request.client else "unknown"
    throttle = _throttle(request)
    wait = throttle.retry_after(email, address)
    if wait is not None:
        minutes = max(1, math.ceil(wait / 60))
        error = f"Too many failed attempts. Try again in about {minutes} minute(s)."
        return page(request, "login.html", 429, next=next_path, email=email, error=error)
    user = authenticate(worlds, email, fields.get("password", ""))
    if user is None:
        throttle.failed(email, address)
        return page(
            request,
            "login.html",
            401,
            next=next_path,
            email=email,
            error="Wrong email or password.",
        )
    throttle.succeeded(email)
    response = redirect(next_path)
    session.start(request, response, user)
    return response


async def logout(request: Request) -> Response:
    fields = await form(request)
    if not session.csrf_ok(request, fields.get("csrf")):
        return redirect("/manager/")
    response = redirect(local_path(fields.get("next")) or "/manager/login")
    session.end(response)
    return response


routes = [
    Route("/manager/login", login, methods=["GET", "POST"]),
    Route("/manager/logout", logout, methods=["POST"]),
]
