"""Overview: the onboarding-link banner to share with clients, and the last 7 days at a
glance."""

from __future__ import annotations

from starlette.responses import Response

from mmgate.gateway.partner_api import onboarding_link
from mmgate.storage.port import MessageFilter
from mmgate.ui import analytics, charts
from mmgate.ui.context import Hub, login_required

DAYS = 7


@login_required
async def overview(hub: Hub) -> Response:
    partner_id = hub.partner.id
    span = analytics.period(hub.now, DAYS)
    rows = await hub.store.hub_funnel(partner_id, span.since, span.until)
    clicks = await hub.store.hub_clicks(partner_id, span.since, span.until)
    funnels = analytics.overall(rows, clicks)
    days = analytics.by_day(rows, clicks, span.days)
    clients = await hub.gateway.store.clients(partner_id)
    wabas = [w for c in clients for w in c.wabas]
    failures = await hub.store.hub_messages(partner_id, MessageFilter(status="failed"), limit=5)
    total = funnels.total
    return hub.page(
        "overview.html",
        active="overview",
        link=onboarding_link(hub.request, hub.partner),
        total=total,
        mm=funnels.routes[analytics.MM_API],
        mm_share=(funnels.routes[analytics.MM_API].accepted / total.accepted)
        if total.accepted
        else None,
        volume=charts.volume_chart(days, width=560),
        clients=clients,
        onboarded=sum(1 for w in wabas if w.mm_status == "ONBOARDED"),
        waba_count=len(wabas),
        channel_count=len(await hub.gateway.store.channels(partner_id)),
        failures=failures,
        days=DAYS,
    )
