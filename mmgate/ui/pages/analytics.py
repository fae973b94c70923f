"""Analytics: the funnel per template and per day, MM API beside Cloud API, as charts
drawn on the server, with the same numbers in tables."""

from __future__ import annotations

from starlette.responses import Response

from mmgate.domain.digits import ascii_int
from mmgate.ui import analytics, charts
from mmgate.ui.context import Hub, login_required

PERIODS = (7, 30, 90)


@login_required
async def analytics_page(hub: Hub) -> Response:
    q = hub.request.query_params
    days = ascii_int(q.get("days", "")) or 7
    days = days if days in PERIODS else 7
    template = q.get("template") or None
    span = analytics.period(hub.now, days)
    rows = await hub.store.hub_funnel(hub.partner.id, span.since, span.until)
    # Clicks name no message, so they cannot be split by template.
    clicks = [] if template else await hub.store.hub_clicks(hub.partner.id, span.since, span.until)
    if template:
        rows = [r for r in rows if r.template_name == template]
    overall = analytics.overall(rows, clicks)
    if template:
        overall.routes[analytics.MM_API].clicked = None
    per_day = analytics.by_day(rows, clicks, span.days)
    return hub.page(
        "analytics.html",
        active="analytics",
        days=days,
        periods=PERIODS,
        template=template or "",
        templates=await hub.store.hub_template_names(hub.partner.id),
        overall=overall,
        per_template=analytics.by_template(rows),
        per_day=per_day,
        routes=analytics.ROUTES,
        funnel_chart=charts.funnel_chart(overall),
        volume_chart=charts.volume_chart(per_day),
        delivery_chart=charts.rate_chart(per_day, "delivery_rate", "Delivery rate per day"),
        read_chart=charts.rate_chart(per_day, "read_rate", "Read rate per day"),
        meter=charts.meter,
    )
