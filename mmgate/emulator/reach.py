"""The reach estimation tool: `GET /{waba_id}/reachestimate?targeting_spec=…&date_interval=…`
(marketing-messages/pricing, "Estimate reach and costs"), answered from the emulated
market's own history (emulator/market.py).

For each max price on a ladder around the country's published rate, the estimate
counts a message as delivered when the clearing price of the hour it is sent is at
or below that max price, over the hours of the look-back interval, for Meta's fixed
1,000 targeted users, of whom 95 % are reachable at all. Bounds are 5 % either side;
costs are the average clearing price of the cleared hours, per 1,000 deliveries in
the smallest currency unit, as Meta's response fields define them.
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.domain.pricing import CURRENCY
from mmgate.emulator.graph_api import authorise, graph_version
from mmgate.emulator.market import Market
from mmgate.emulator.max_price_rules import require_enrolled
from mmgate.emulator.state import Emulator
from mmgate.errors import GraphError
from mmgate.web.responses import json_response

INTERVALS = {"L1D": 1, "L7D": 7, "L14D": 14, "L28D": 28}
LADDER = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)  # max prices as shares of the published rate
USERS = 1000  # "Fixed at 1,000 during beta"
REACHABLE = 0.95
SPREAD = 0.05


def _country(raw: str | None) -> str:
    try:
        spec = json.loads(raw or "")
        countries = spec["geo_locations"]["countries"]
    except (ValueError, KeyError, TypeError):
        raise GraphError(
            100, 'targeting_spec must be serialized JSON: {"geo_locations":{"countries":["IN"]}}.'
        ) from None
    if not isinstance(countries, list) or len(countries) != 1 or not isinstance(countries[0], str):
        raise GraphError(100, "targeting_spec.geo_locations.countries must name one country.")
    return countries[0].upper()


def estimates(market: Market, country: str, now: float, days: int) -> list[dict[str, Any]]:
    history = market.history(country, now, days)
    rate = market.rate(country)
    rows = []
    for share in LADDER:
        bid = max(1, round(rate * share))
        cleared = [p for p in history if p <= bid]
        expected = USERS * REACHABLE * len(cleared) / len(history)
        average = sum(cleared) / len(cleared) if cleared else 0.0
        rows.append(
            {
                "bid_amount": bid,
                "users": USERS,
                "lower_bound_deliveries": math.floor(expected * (1 - SPREAD)),
                "upper_bound_deliveries": min(USERS, math.ceil(expected * (1 + SPREAD))),
                "cost_lower_bound": round(average * (1 - SPREAD / 2), 2),
                "cost_upper_bound": round(min(float(bid), average * (1 + SPREAD / 2)), 2),
            }
        )
    return rows


async def reachestimate(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    graph_version(request)
    authorise(emulator, request)
    waba = emulator.worlds.waba(request.path_params["object_id"])
    if waba is None:
        raise GraphError(100, "Unsupported get request.")
    interval = request.query_params.get("date_interval", "")
    if interval not in INTERVALS:
        raise GraphError(100, "date_interval must be one of L1D, L7D, L14D, L28D.")
    country = _country(request.query_params.get("targeting_spec"))
    require_enrolled(emulator.worlds, waba)
    rows = estimates(emulator.market, country, emulator.clock.now(), INTERVALS[interval])
    return json_response({"waba_currency": CURRENCY, "estimates": rows})


routes = [Route("/graph/{version}/{object_id}/reachestimate", reachestimate, methods=["GET"])]
