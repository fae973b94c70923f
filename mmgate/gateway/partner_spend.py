"""Partner API: what each client's marketing cost, as Meta reports it
(`GET /api/v2/partners/{partner_id}/spend?days=30`, mmgate's own; 360dialog has no
such endpoint). Spend is Meta's template analytics (gateway/spend.py), per route."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.errors import Refusal
from mmgate.gateway.context import gateway_of
from mmgate.gateway.partner_auth import PREFIX, authorised_partner, envelope
from mmgate.sdk import wire_partner as wire
from mmgate.services.spend import DAY, Usage, spend_report

MAX_DAYS = 90


def _usage(usage: Usage) -> wire.SpendUsage:
    return wire.SpendUsage(
        sent=usage.sent,
        delivered=usage.delivered,
        read=usage.read,
        clicks=usage.clicks,
        spend=round(usage.spend, 6),
        cost_per_delivered=_round(usage.cost_per_delivered),
        cost_per_click=_round(usage.cost_per_click),
    )


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
            wire.ClientSpend(
                business_id=client.business_id,
                name=client.name,
                currency=report.currency,
                total=_usage(report.total),
                mm_api=_usage(report.totals["mm_api"]),
                cloud_api=_usage(report.totals["cloud_api"]),
                errors=report.errors,
            )
        )
    return envelope(wire.Spend(since, until, len(clients), clients))


routes = [Route(PREFIX + "/spend", spend, methods=["GET"])]
