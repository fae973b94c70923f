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
from mmgate.emulator.pages.manager import businesses_of, session_expired, terms_review
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

    def url(self, step: str, **extra: str | None) -> str:
        return with_query(
            BASE + step, redirect_uri=self.redirect_uri, state=self.state or None, **extra
        )

    def back_to_partner(self, status: str, business_id: str | None = None) -> str:
        if self.redirect_uri is None:  # opened on its own: land in WhatsApp Manager
            return with_query("/manager/", business_id=business_id)
        query = {"status": status, "business_id": business_id, "state": self.state}
        kept = urlencode({k: v for k, v in query.items() if v})
        separator = "&" if "?" in self.redirect_uri else "?"
        return f"{self.redirect_uri}{separator}{kept}"


def _flow(request: Request, fields: dict[str, str] | None = None) -> Flow | None:
    flow = Flow({**request.query_params, **(fields or {})})
    return flow if flow.valid else None


def _invalid_link(request: Request) -> Response:
    return notice(
        request,
        "This link is not valid",
        "The signup link is incomplete or has expired. Ask your provider for a new link.",
        status=400,
        tone="error",
    )


def _step(request: Request, template: str, flow: Flow, **context: Any) -> Response:
    worlds = emulator_of(request).worlds
    app = worlds.world.app
    provider = worlds.business(app.business_id) if app is not None else None
    return page(
        request,
        template,
        flow=flow,
        app_name=provider.name if provider is not None else "Your solution provider",
        cancel_url=flow.back_to_partner("cancelled"),
        **context,
    )


async def start(request: Request) -> Response:
    flow = _flow(request)
    if flow is None or emulator_of(request).worlds.world.app is None:
        return _invalid_link(request)
    return _step(
        request,
        "signup_start.html",
        flow,
        login_url=with_query("/manager/login", next=flow.url("")),
        restart_url=flow.url(""),
    )


async def choose_business(request: Request) -> Response:
    flow = _flow(request)
    if flow is None:
        return _invalid_link(request)
    user = session.current_user(request)
    if user is None:
        return redirect(session.login_url(request))
    worlds = emulator_of(request).worlds
    choices = [(b, b.id in user.admin_of) for b in businesses_of(worlds, user)]
    return _step(request, "signup_business.html", flow, choices=choices)


async def terms(request: Request) -> Response:
    fields = await form(request) if request.method == "POST" else {}
    flow = _flow(request, fields)
    if flow is None:
        return _invalid_link(request)
    user = session.current_user(request)
    if user is None:
        return redirect(session.login_url(request))
    business_id = fields.get("business_id") or request.query_params.get("business_id", "")
    onboarding = onboarding_of(request)
    try:
        if request.method == "POST":
            if not session.csrf_ok(request, fields.get("csrf")):
                return session_expired(request)
            onboarding.sign(user, business_id)
            return redirect(flow.url("finish", business_id=business_id))
        business = onboarding.signable(user, business_id)
    except OnboardingRefused as refused:
        return _refused(request, refused, flow)
    return _step(
        request, "signup_terms.html", flow, business=business, **terms_review(request, business)
    )


def _refused(request: Request, refused: OnboardingRefused, flow: Flow) -> Response:
    if refused.refusal is Refusal.ALREADY_SIGNED and refused.business is not None:
        action = ("Finish", flow.back_to_partner("already_signed", refused.business.id))
    else:
        action = ("Choose another business", flow.url("business"))
    return refusal_page(request, refused, action=action)


async def finish(request: Request) -> Response:
    flow = _flow(request)
    if flow is None:
        return _invalid_link(request)
    user = session.current_user(request)
    if user is None:
        return redirect(session.login_url(request))
    worlds = emulator_of(request).worlds
    business_id = request.query_params.get("business_id", "")
    business = worlds.business(business_id)
    if business is None or business_id not in user.admin_of:
        return _refused(request, OnboardingRefused(Refusal.UNKNOWN_BUSINESS), flow)
    wabas = onboarding_of(request).eligible_wabas(business_id)
    return _step(
        request,
        "signup_finish.html",
        flow,
        business=business,
        wabas=[(w, worlds.mm_status(w).value) for w in wabas],
        ready_at=max((w.mm_setup_due_at or 0.0) for w in wabas) if wabas else None,
        finish_url=flow.back_to_partner("signed", business_id),
    )


routes = [
    Route(BASE, start, methods=["GET"]),
    Route(BASE + "business", choose_business, methods=["GET"]),
    Route(BASE + "terms", terms, methods=["GET", "POST"]),
    Route(BASE + "finish", finish, methods=["GET"]),
]
