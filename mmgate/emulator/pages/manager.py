"""WhatsApp Manager, emulated (`/manager/`): Overview > Alerts with "Accept terms to get
started" for the Marketing Messages API (path B), and Settings > Requests, where an
admin answers a partner's intent-API request (path C)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.domain.onboarding import TermsState
from mmgate.emulator.onboarding import OnboardingRefused, Signed, is_member
from mmgate.emulator.pages import session
from mmgate.emulator.pages.refusals import refusal_page
from mmgate.emulator.pages.render import (
    emulator_of,
    form,
    notice,
    onboarding_of,
    page,
    redirect,
    with_query,
)
from mmgate.emulator.world import Business, MetaUser, WorldStore, terms_state


def businesses_of(worlds: WorldStore, user: MetaUser) -> list[Business]:
    ids = dict.fromkeys([*user.admin_of, *user.employee_of])
    return [b for b in (worlds.business(i) for i in ids) if b is not None]


def _chosen(request: Request, worlds: WorldStore, user: MetaUser) -> Business | None:
    wanted = request.query_params.get("business_id")
    mine = businesses_of(worlds, user)
    return next((b for b in mine if b.id == wanted), mine[0] if mine else None)


def _layout(request: Request, user: MetaUser, business: Business | None) -> dict[str, Any]:
    """What the WhatsApp Manager frame shows around every page."""
    worlds = emulator_of(request).worlds
    found = worlds.terms_requests_of(business.id) if business is not None else []
    return {
        "businesses": businesses_of(worlds, user),
        "business": business,
        "is_admin": business is not None and business.id in user.admin_of,
        "pending_count": sum(r.status == "PENDING" for r in found),
    }


def session_expired(request: Request) -> Response:
    return notice(request, "Session expired", "Reload the page and try again.", status=403)


async def overview(request: Request) -> Response:
    user = session.current_user(request)
    if user is None:
        return redirect(session.login_url(request))
    worlds = emulator_of(request).worlds
    business = _chosen(request, worlds, user)
    context = _layout(request, user, business)
    if business is not None:
        terms = terms_state(business)
        eligible = onboarding_of(request).eligible_wabas(business.id)
        context.update(
            terms=terms.value,
            wabas=[(w, worlds.mm_status(w).value) for w in worlds.wabas_of(business.id)],
            show_terms_alert=bool(eligible) and terms is not TermsState.TERM_OF_SERVICE_SIGNED,
        )
    return page(request, "manager_overview.html", **context)


def terms_review(request: Request, business: Business) -> dict[str, Any]:
    """The eligible WABAs the terms will cover, and the others with their reason."""
    worlds = emulator_of(request).worlds
    onboarding = onboarding_of(request)
    eligible = onboarding.eligible_wabas(business.id)
    ineligible = [
        (w, worlds.mm_status(w).value) for w in worlds.wabas_of(business.id) if w not in eligible
    ]
    minutes = max(1, round(onboarding.setup_delay / 60))
    return {"eligible": eligible, "ineligible": ineligible, "setup_minutes": minutes}


async def mm_terms(request: Request) -> Response:
    """Review and accept the MM API terms for every eligible WABA of the business."""
    user = session.current_user(request)
    if user is None:
        return redirect(session.login_url(request))
    onboarding = onboarding_of(request)
    business_id = request.query_params.get("business_id", "")
    back = ("Back to Overview", with_query("/manager/", business_id=business_id))
    try:
        if request.method == "POST":
            if not session.csrf_ok(request, (await form(request)).get("csrf")):
                return session_expired(request)
            return _signed_page(request, user, onboarding.sign(user, business_id))
        business = onboarding.signable(user, business_id)
    except OnboardingRefused as refused:
        return refusal_page(request, refused, action=back)
    return page(
        request,
        "manager_terms.html",
        **_layout(request, user, business),
        **terms_review(request, business),
    )


def _signed_page(request: Request, user: MetaUser, signed: Signed) -> Response:
    return page(
        request,
        "manager_signed.html",
        **_layout(request, user, signed.business),
        signed=signed,
    )


async def requests(request: Request) -> Response:
    """Settings > Requests: the partners' intent-API requests to this business."""
    user = session.current_user(request)
    if user is None:
        return redirect(session.login_url(request))
    worlds = emulator_of(request).worlds
    business = _chosen(request, worlds, user)
    found = worlds.terms_requests_of(business.id) if business is not None else []
    found.sort(key=lambda r: (r.status != "PENDING", -r.created_at))
    return page(
        request,
        "manager_requests.html",
        **_layout(request, user, business),
        terms_requests=found,
        requester_names={b.id: b.name for b in worlds.world.businesses},
    )


async def answer_request(request: Request) -> Response:
    user = session.current_user(request)
    if user is None:
        return redirect(session.login_url(request))
    fields = await form(request)
    if not session.csrf_ok(request, fields.get("csrf")):
        return session_expired(request)
    request_id = request.path_params["request_id"]
    found = emulator_of(request).worlds.terms_request(request_id)
    business_id = found.business_id if found and is_member(user, found.business_id) else None
    back = ("Back to Requests", with_query("/manager/requests", business_id=business_id))
    try:
        accept = fields.get("action") == "accept"
        signed = onboarding_of(request).decide(user, request_id, accept=accept)
    except OnboardingRefused as refused:
        return refusal_page(request, refused, action=back)
    if signed is not None:
        return _signed_page(request, user, signed)
    return notice(
        request,
        "Request rejected",
        "You rejected the request. The partner can send a new one later.",
        action=back,
    )


routes = [
    Route("/manager/", overview, methods=["GET"]),
    Route("/manager/mm-terms", mm_terms, methods=["GET", "POST"]),
    Route("/manager/requests", requests, methods=["GET"]),
    Route("/manager/requests/{request_id}", answer_request, methods=["POST"]),
]
