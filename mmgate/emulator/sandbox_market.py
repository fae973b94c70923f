"""Sandbox controls for max price: the market's settings (`/sandbox/market`) and the
signer's click on the agreement email (`/sandbox/max-price/agreements/{business_id}`)."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.domain.pricing import MARKETING_RATES
from mmgate.emulator.market import MarketSettings
from mmgate.emulator.max_price_rules import enrolment
from mmgate.emulator.sandbox_api import _allowed, _json, _problem
from mmgate.emulator.state import Emulator

AGREEMENT_STATES = ("accepted", "none")


def _market_view(emulator: Emulator) -> dict[str, Any]:
    market, now = emulator.market, emulator.clock.now()
    countries = sorted({*MARKETING_RATES, *market.settings.rates, *market.settings.fixed})
    return {
        "now": now,
        "settings": msgspec.to_builtins(market.settings),
        "published_rates": {c: market.rate(c) for c in countries},
        "clearing_now": {c: market.clearing(c, now) for c in countries},
    }


async def market(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    if not _allowed(emulator, request):
        return _problem(401, "A valid X-Sandbox-Key header is required.")
    if request.method == "POST":
        try:
            given = msgspec.json.decode(await request.body())
            if not isinstance(given, dict):
                raise ValueError("a JSON object of market settings is expected")
            merged = {**msgspec.to_builtins(emulator.market.settings), **given}
            settings = msgspec.convert(merged, MarketSettings)
            settings.check()
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as exc:
            return _problem(400, f"Invalid market settings: {exc}")
        emulator.market.settings = settings
    return _json(_market_view(emulator))


async def agreement(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    if not _allowed(emulator, request):
        return _problem(401, "A valid X-Sandbox-Key header is required.")
    business = emulator.worlds.business(request.path_params["business_id"])
    if business is None:
        return _problem(404, "No such business.")
    try:
        status = msgspec.json.decode(await request.body()).get("status", "accepted")
    except (msgspec.DecodeError, AttributeError):
        return _problem(400, 'Expected {"status": "accepted" | "none"}.')
    state = enrolment(business)
    if status not in AGREEMENT_STATES:
        return _problem(400, 'status must be "accepted" or "none".')
    if status == "accepted" and state.status != "pending":
        return _problem(409, "Only a pending agreement (email sent) can be accepted.")
    state.status = status
    emulator.worlds.save()
    return _json({"business_id": business.id, "status": state.status})


routes = [
    Route("/sandbox/market", market, methods=["GET", "POST"]),
    Route("/sandbox/max-price/agreements/{business_id}", agreement, methods=["POST"]),
]
