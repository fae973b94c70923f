"""Every surface of the emulator: Graph API, sandbox control API, pages."""

from __future__ import annotations

from starlette.routing import BaseRoute

from mmgate.emulator import (
    ad_insights,
    graph_api,
    graph_business,
    graph_templates,
    graph_webhooks,
    max_price,
    pages,
    reach,
    sandbox_api,
    sandbox_market,
    sandbox_users,
    sandbox_wabas,
)


def routes() -> list[BaseRoute]:
    return [
        *graph_webhooks.routes,  # first: `/{object_id}` dispatches phone numbers here
        *graph_api.routes,
        *max_price.routes,  # max price: enrolment, reach estimate, insights, market
        *reach.routes,
        *ad_insights.routes,
        *sandbox_market.routes,
        *graph_templates.routes,
        *graph_business.routes,
        *sandbox_api.routes,
        *sandbox_users.routes,
        *sandbox_wabas.routes,
        *pages.routes(),
    ]
