"""Spend: what marketing cost per day and per template, cost per delivered and per
click, MM API beside Cloud API (Meta's template analytics, gateway/spend.py); a bid
editor for templates with a max price; and the reach estimate as a chart."""

from __future__ import annotations

import json
from typing import Any

import msgspec
from starlette.responses import Response

from mmgate.domain import bids
from mmgate.errors import GraphError
from mmgate.services.spend import DAY, spend_report
from mmgate.ui import spend_charts
from mmgate.ui.analytics import ROUTES
from mmgate.ui.context import Hub, login_required
from mmgate.ui.render import redirect, with_query
from mmgate.upstream.graph import UpstreamUnavailable

PERIODS = (7, 30, 90)
INTERVALS = ("L1D", "L7D", "L14D", "L28D")


async def _wabas(hub: Hub) -> list[str]:
    return [w.id for c in await hub.gateway.store.clients(hub.partner.id) for w in c.wabas]


async def _reach(hub: Hub, wabas: list[str]) -> tuple[dict[str, Any] | None, str | None]:
    q = hub.request.query_params
    country, interval = q.get("country", "").strip().upper(), q.get("interval", "L7D")
    waba = q.get("waba") or (wabas[0] if wabas else "")
    if not country:
        return None, None
    if waba not in wabas or interval not in INTERVALS or not country.isalpha():
        return None, "Choose one of your WABAs, a two-letter country and an interval."
    params = {
        "targeting_spec": json.dumps({"geo_locations": {"countries": [country]}}),
        "date_interval": interval,
    }
    try:
        return await hub.gateway.graph.edge(waba, "reachestimate", params), None
    except (GraphError, UpstreamUnavailable) as exc:
        return None, f"Meta refused the estimate: {exc}"


@login_required
async def spend_page(hub: Hub) -> Response:
    q = hub.request.query_params
    days = int(q["days"]) if q.get("days", "").isdigit() and int(q["days"]) in PERIODS else 7
    until = (hub.now // DAY + 1) * DAY
    wabas = await _wabas(hub)
    report = await spend_report(hub.gateway.graph, wabas, until - days * DAY, until)
    reach, reach_error = await _reach(hub, wabas)
    return hub.page(
        "spend.html",
        active="spend",
        days=days,
        periods=PERIODS,
        intervals=INTERVALS,
        report=report,
        routes=ROUTES,
        wabas=wabas,
        query=q,
        saved=q.get("saved"),
        error=q.get("error"),
        reach=reach,
        reach_error=reach_error,
        spend_chart=spend_charts.spend_chart(report.days, report.currency),
        reach_chart=(
            spend_charts.reach_chart(reach["estimates"], reach.get("waba_currency", "USD"))
            if reach and reach.get("estimates")
            else None
        ),
        money=spend_charts.money,
    )


@login_required
async def set_bid(hub: Hub) -> Response:
    """A template's max price edited on Meta (`POST /{template_id}`), then re-read."""
    waba, template_id, name = (hub.form.get(k, "") for k in ("waba_id", "template_id", "name"))
    raw = hub.form.get("bid_amount", "").strip()
    if waba not in await _wabas(hub) or not template_id.isdigit():
        return redirect(with_query("/hub/spend", error="Unknown template."))
    if not raw.isdigit() or not bids.MIN_BID_AMOUNT <= int(raw) <= bids.MAX_BID_AMOUNT:
        return redirect(with_query("/hub/spend", error="The max price must be a whole number."))
    body = {"optimization_spec": {"bid_strategy": bids.BID_STRATEGY, "bid_amount": int(raw)}}
    try:
        await hub.gateway.graph.update_object(template_id, msgspec.json.encode(body))
        await hub.gateway.templates.refresh(waba, name)  # the next send sees the new bid
    except (GraphError, UpstreamUnavailable) as exc:
        return redirect(with_query("/hub/spend", error=f"Meta refused the change: {exc}"))
    return redirect(with_query("/hub/spend", saved=name))
