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
from mmgate.emulator.market_numbers import MARKET_NUMBERS
from mmgate.emulator.max_price_rules import enrolment
from mmgate.emulator.sandbox_api import require_sandbox_key
from mmgate.emulator.state import Emulator
from mmgate.errors import Refusal
from mmgate.web.responses import json_response

AGREEMENT_STATES = ("accepted", "none")


def _market_view(emulator: Emulator) -> dict[str, Any]:
    market, now = emulator.market, emulator.clock.now()
    countries = sorted({*MARKETING_RATES, *market.settings.rates, *market.settings.fixed})
    return {
        "now": now,
        "settings": msgspec.to_builtins(market.settings),
        "published_rates": {c: market.rate(c) for c in countries},
        "clearing_now": {c: market.clearing(c, now) for c in countries},
        "test_numbers": {suffix: o.value for suffix, o in MARKET_NUMBERS.items()},
    }


async def market(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    require_sandbox_key(emulator, request)
    if request.method == "POST":
        try:
            given = msgspec.json.decode(await request.body())
            if not isinstance(given, dict):
                raise ValueError("a JSON object of market settings is expected")
            merged = {**msgspec.to_builtins(emulator.market.settings), **given}
            settings = msgspec.convert(merged, MarketSettings)
            settings.check()
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as exc:
            raise Refusal(400, f"Invalid market settings: {exc}") from None
        emulator.market.settings = settings
    return json_response(_market_view(emulator))


async def agreement(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    require_sandbox_key(emulator, request)
    business = emulator.worlds.business(request.path_params["business_id"])
    if business is None:
        raise Refusal(404, "No such business.")
    try:
        status = msgspec.json.decode(await request.body()).get("status", "accepted")
    except (msgspec.DecodeError, AttributeError):
        raise Refusal(400, 'Expected {"status": "accepted" | "none"}.') from None
    state = enrolment(business)
    if status not in AGREEMENT_STATES:
        raise Refusal(400, 'status must be "accepted" or "none".')
    if status == "accepted" and state.status != "pending":
        raise Refusal(409, "Only a pending agreement (email sent) can be accepted.")
    state.status = status
    emulator.worlds.save()
    return json_response({"business_id": business.id, "status": state.status})


routes = [
    Route("/sandbox/market", market, methods=["GET", "POST"]),
    Route("/sandbox/max-price/agreements/{business_id}", agreement, methods=["POST"]),
]
