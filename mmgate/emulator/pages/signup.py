"""Embedded signup for the MM API, emulated (`/embedded-signup/`): the flow a partner's
onboarding link hands the client to (path A). Log in with Meta, pick the business,
review the terms, accept, finish; the browser then returns to the partner's
`redirect_uri` (a same-site path) with the outcome."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.emulator.onboarding import OnboardingRefused, Refusal
from mmgate.emulator.pages import session
from mmgate.emulator.pages.manager import businesses_of
from mmgate.emulator.pages.refusals import refusal_page
from mmgate.emulator.pages.render import (
    emulator_of,
    form,
    local_path,
    notice,
    onboarding_of,
    page,
    redirect,
    with_query,
)

BASE = "/embedded-signup/"


class Flow:
    """Where the partner wants the browser back, and its opaque state."""

    def __init__(self, params: dict[str, str]) -> None:
        raw = params.get("redirect_uri")
        self.redirect_uri = local_path(raw)
        self.state = params.get("state", "")[:200]
        self.valid = raw is None or self.redirect_uri is not None

    def params(self) -> dict[str, str | None]:
        return {"redirect_uri": self.redirect_uri, "state": self.state or None}

    def url(self, step: str, **extra: str | None) -> str:
        return with_query(BASE + step, **self.params(), **extra)

    def back_to_partner(self, status: str, business_id: str | None = None) -> str:
        if self.redirect_uri is None:
            return with_query("/manager/", business_id=business_id)
        query = {"status": status, "business_id": business_id, "state": self.state}
        kept = urlencode({k: v for k, v in query.items() if v})
        separator = "&" if "?" in self.redirect_uri else "?"
        return f"{self.redirect_uri}{separator}{kept}"


def _app_name(request: Request) -> str:
    worlds = emulator_of(request).worlds
    app = worlds.world.app
    provider = worlds.business(app.business_id) if app is not None else None
    return provider.name if provider is not None else "Your solution provider"


def _invalid_link() -> Response:
    return notice(
        "This link is not valid",
        "The signup link is incomplete or has expired. Ask your provider for a new link.",
        status=400,
        tone="error",
    )


def _context(request: Request, flow: Flow, **extra: Any) -> dict[str, Any]:
    return {
        "flow": flow,
        "app_name": _app_name(request),
        "cancel_url": flow.back_to_partner("cancelled"),
        **extra,
    }


async def start(request: Request) -> Response:
    flow = Flow(dict(request.query_params))
    if not flow.valid or emulator_of(request).worlds.world.app is None:
        return _invalid_link()
    user = session.current_user(request)
    login = with_query("/manager/login", next=flow.url(""))
    logout = with_query("/manager/logout", next=flow.url(""))
    return page(
        "signup_start.html",
        **_context(request, flow, user=user, login_url=login, logout_url=logout),
    )


async def choose_business(request: Request) -> Response:
    flow = Flow(dict(request.query_params))
    if not flow.valid:
        return _invalid_link()
    user = session.current_user(request)
    if user is None:
        return redirect(session.login_url(request))
    worlds = emulator_of(request).worlds
    choices = [(b, b.id in user.admin_of) for b in businesses_of(worlds, user)]
    return page("signup_business.html", **_context(request, flow, user=user, choices=choices))


async def terms(request: Request) -> Response:
    params = dict(request.query_params)
    fields = await form(request) if request.method == "POST" else {}
    flow = Flow({**params, **fields})
    if not flow.valid:
        return _invalid_link()
    user = session.current_user(request)
    if user is None:
        return redirect(session.login_url(request))
    business_id = fields.get("business_id") or params.get("business_id", "")
    onboarding = onboarding_of(request)
    try:
        if request.method == "POST":
            if not session.csrf_ok(request, fields.get("csrf")):
                return notice("Session expired", "Go back and try again.", status=403, user=user)
            onboarding.sign(user, business_id)
            return redirect(flow.url("finish", business_id=business_id))
        business = onboarding.signable(user, business_id)
    except OnboardingRefused as refused:
        return _refused(refused, flow, user=user)
    worlds = emulator_of(request).worlds
    eligible = onboarding.eligible_wabas(business_id)
    ineligible = [
        (w, worlds.mm_status(w).value) for w in worlds.wabas_of(business_id) if w not in eligible
    ]
    return page(
        "signup_terms.html",
        **_context(
            request,
            flow,
            user=user,
            csrf=session.csrf_token(request),
            business=business,
            eligible=eligible,
            ineligible=ineligible,
        ),
    )


def _refused(refused: OnboardingRefused, flow: Flow, **context: Any) -> Response:
    business_id = refused.business.id if refused.business is not None else None
    if refused.refusal is Refusal.ALREADY_SIGNED:
        action = ("Finish", flow.back_to_partner("already_signed", business_id))
    else:
        action = ("Choose another business", flow.url("business"))
    return refusal_page(refused, action=action, **context)


async def finish(request: Request) -> Response:
    flow = Flow(dict(request.query_params))
    if not flow.valid:
        return _invalid_link()
    user = session.current_user(request)
    if user is None:
        return redirect(session.login_url(request))
    worlds = emulator_of(request).worlds
    business_id = request.query_params.get("business_id", "")
    business = worlds.business(business_id)
    if business is None or business_id not in user.admin_of:
        return _refused(OnboardingRefused(Refusal.UNKNOWN_BUSINESS), flow, user=user)
    wabas = onboarding_of(request).eligible_wabas(business_id)
    return page(
        "signup_finish.html",
        **_context(
            request,
            flow,
            user=user,
            business=business,
            wabas=[(w, worlds.mm_status(w).value) for w in wabas],
            ready_at=max((w.mm_setup_due_at or 0.0) for w in wabas) if wabas else None,
            finish_url=flow.back_to_partner("signed", business_id),
        ),
    )


routes = [
    Route(BASE, start, methods=["GET"]),
    Route(BASE + "business", choose_business, methods=["GET"]),
    Route(BASE + "terms", terms, methods=["GET", "POST"]),
    Route(BASE + "finish", finish, methods=["GET"]),
]
