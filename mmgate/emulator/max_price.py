"""Max price enrolment on Meta's side (marketing-messages/pricing/enroll-max-price):
the beta agreement of a business (`/{business_id}/max_price_agreements`) and a
Solution Partner's allowlist of end-businesses (`/{business_id}/max_price_end_businesses`).

A business may use max price when its own agreement is accepted, or when the
Solution Partner (the app's business) has an accepted agreement and allowlisted it.
Acceptance is a human clicking a link in an email: in the sandbox,
`POST /sandbox/max-price/agreements/{business_id}` (emulator/sandbox_market.py).
"""

from __future__ import annotations

import math
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.emulator.graph_api import authorise, graph_version
from mmgate.emulator.max_price_rules import enrolment
from mmgate.emulator.max_price_world import EndBusiness, MaxPriceEnrolment
from mmgate.emulator.state import Emulator
from mmgate.emulator.world import Business, WorldStore
from mmgate.errors import GraphError
from mmgate.web.responses import json_response

RESEND_COOLDOWN = 300.0  # "5-minute cooldown" between agreement emails
ALLOWLIST_CAP = 15


def _agreement_json(state: MaxPriceEnrolment) -> dict[str, Any]:
    if state.status == "none":
        return {"status": "none"}
    return {
        "status": state.status,
        "signer_name": state.signer_name,
        "signer_email": state.signer_email,
    }


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise GraphError(100, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise GraphError(100, "A JSON object is expected.")
    return body


def _business(emulator: Emulator, request: Request) -> Business:
    graph_version(request)
    authorise(emulator, request)
    business = emulator.worlds.business(request.path_params["object_id"])
    if business is None:
        raise GraphError(100, "Unsupported request: the business does not exist.")
    return business


async def agreements(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    try:
        business = _business(emulator, request)
        state = enrolment(business)
        if request.method == "GET":
            return json_response(_agreement_json(state))
        return json_response(_sign(emulator, state, await _body(request)))
    except RetryLater as later:
        body = later.error.graph_body()
        body["error"]["retry_after"] = later.seconds
        response = json_response(body, 429)
        response.headers["Retry-After"] = str(later.seconds)
        return response


class RetryLater(Exception):
    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        self.error = GraphError(4, message="(#4) Agreement email sent recently; retry later")
        super().__init__(self.error.message)


def _sign(emulator: Emulator, state: MaxPriceEnrolment, body: dict[str, Any]) -> dict[str, Any]:
    name, email = body.get("signer_name"), body.get("signer_email")
    if not isinstance(name, str) or not name.strip():
        raise GraphError(100, "signer_name is required.")
    if not isinstance(email, str) or "@" not in email:
        raise GraphError(100, "signer_email is required: an email address.")
    if state.status == "accepted":
        return _agreement_json(state)
    now = emulator.clock.now()
    if state.status == "pending" and now - state.email_sent_at < RESEND_COOLDOWN:
        raise RetryLater(math.ceil(RESEND_COOLDOWN - (now - state.email_sent_at)))
    state.status, state.signer_name, state.signer_email = "pending", name.strip(), email
    state.email_sent_at = now
    emulator.worlds.save()
    return {**_agreement_json(state), "message": f"Agreement email sent to {email}"}


def _end_business_ids(body: dict[str, Any]) -> list[str]:
    ids = body.get("end_business_ids")
    if not isinstance(ids, list) or not ids or len(ids) > ALLOWLIST_CAP:
        raise GraphError(100, f"end_business_ids must be a list of 1..{ALLOWLIST_CAP} ids.")
    if not all(isinstance(i, str | int) and str(i).isdigit() for i in ids):
        raise GraphError(100, "end_business_ids must hold business ids.")
    return [str(i) for i in ids]


async def end_businesses(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    partner = _business(emulator, request)
    state = enrolment(partner)
    if request.method == "GET":
        return json_response({"data": [_listed(emulator.worlds, e) for e in state.end_businesses]})
    ids = _end_business_ids(await _body(request))
    if state.status != "accepted":
        raise GraphError(10)
    results = (
        [_enrol(emulator, partner, state, i) for i in ids]
        if request.method == "POST"
        else [_remove(state, i) for i in ids]
    )
    emulator.worlds.save()
    return json_response({"results": results})


def _listed(worlds: WorldStore, entry: EndBusiness) -> dict[str, Any]:
    business = worlds.business(entry.end_business_id)
    return {
        "end_business_id": entry.end_business_id,
        "end_business_name": business.name if business is not None else None,
        "enrolled_time": entry.enrolled_time,
    }


def _enrol(
    emulator: Emulator, partner: Business, state: MaxPriceEnrolment, business_id: str
) -> dict[str, str]:
    if any(e.end_business_id == business_id for e in state.end_businesses):
        return {"end_business_id": business_id, "status": "enrolled"}
    worlds = emulator.worlds
    wabas = worlds.wabas_of(business_id) if worlds.business(business_id) else []
    reason = None
    if not wabas or business_id == partner.id:
        reason = "No shared WABA"
    elif not any(worlds.is_onboarded(w) for w in wabas):
        reason = "Not onboarded to Marketing Messages API"
    elif len(state.end_businesses) >= ALLOWLIST_CAP:
        reason = f"The allowlist has reached the maximum of {ALLOWLIST_CAP} end-businesses."
    if reason is not None:
        return {"end_business_id": business_id, "status": "rejected", "reason": reason}
    now = int(emulator.clock.now())
    state.end_businesses.append(EndBusiness(end_business_id=business_id, enrolled_time=now))
    return {"end_business_id": business_id, "status": "enrolled"}


def _remove(state: MaxPriceEnrolment, business_id: str) -> dict[str, str]:
    kept = [e for e in state.end_businesses if e.end_business_id != business_id]
    status = "removed" if len(kept) < len(state.end_businesses) else "not_found"
    state.end_businesses = kept
    return {"end_business_id": business_id, "status": status}


routes = [
    Route("/graph/{version}/{object_id}/max_price_agreements", agreements, methods=["GET", "POST"]),
    Route(
        "/graph/{version}/{object_id}/max_price_end_businesses",
        end_businesses,
        methods=["GET", "POST", "DELETE"],
    ),
]
