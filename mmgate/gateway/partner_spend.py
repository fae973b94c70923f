"""Partner API: what each client's marketing cost, as Meta reports it
(`GET /api/v2/partners/{partner_id}/spend?days=30`, mmgate's own; 360dialog has no
such endpoint). Spend is Meta's template analytics (gateway/spend.py), per route."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.errors import Refusal
from mmgate.gateway.context import gateway_of
from mmgate.gateway.partner_auth import PREFIX, authorised_partner, envelope
from mmgate.services.spend import DAY, Usage, spend_report

MAX_DAYS = 90


def _usage_json(usage: Usage) -> dict[str, Any]:
    return {
        "sent": usage.sent,
        "delivered": usage.delivered,
        "read": usage.read,
        "clicks": usage.clicks,
        "spend": round(usage.spend, 6),
        "cost_per_delivered": _round(usage.cost_per_delivered),
        "cost_per_click": _round(usage.cost_per_click),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


async def spend(request: Request) -> Response:
    partner = await authorised_partner(request)
    raw = request.query_params.get("days", "30")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        raise Refusal(400, f"days must be 1..{MAX_DAYS}.")
    gateway = gateway_of(request)
    until = (gateway.clock.now() // DAY + 1) * DAY
    since = until - int(raw) * DAY
    clients = []
    for client in await gateway.store.clients(partner.id):
        report = await spend_report(gateway.graph, [w.id for w in client.wabas], since, until)
        clients.append(
            {
                "business_id": client.business_id,
                "name": client.name,
                "currency": report.currency,
                "total": _usage_json(report.total),
                "mm_api": _usage_json(report.totals["mm_api"]),
                "cloud_api": _usage_json(report.totals["cloud_api"]),
                "errors": report.errors,
            }
        )
    return envelope({"since": since, "until": until, "count": len(clients), "clients": clients})


routes = [Route(PREFIX + "/spend", spend, methods=["GET"])]
