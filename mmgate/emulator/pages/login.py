"""The emulated Meta login (`/manager/login`): users who administer Business Managers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.emulator.meta_users import authenticate
from mmgate.emulator.pages import session
from mmgate.emulator.pages.render import emulator_of, form, local_path, page, redirect


async def login(request: Request) -> Response:
    if request.method == "GET":
        next_path = local_path(request.query_params.get("next")) or "/manager/"
        return page(request, "login.html", next=next_path, error=None, email="")
    fields = await form(request)
    next_path = local_path(fields.get("next")) or "/manager/"
    email = fields.get("email", "")
    user = authenticate(emulator_of(request).worlds, email, fields.get("password", ""))
    if user is None:
        return page(
            request,
            "login.html",
            401,
            next=next_path,
            email=email,
            error="Wrong email or password.",
        )
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
