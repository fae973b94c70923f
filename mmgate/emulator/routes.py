"""Every surface of the emulator: Graph API, sandbox control API, pages."""

from __future__ import annotations

from starlette.routing import BaseRoute

from mmgate.emulator import (
    graph_api,
    graph_business,
    graph_templates,
    graph_webhooks,
    pages,
    sandbox_api,
    sandbox_wabas,
)


def routes() -> list[BaseRoute]:
    return [
        *graph_webhooks.routes,  # first: `/{object_id}` dispatches phone numbers here
        *graph_api.routes,
        *graph_templates.routes,
        *graph_business.routes,
        *sandbox_api.routes,
        *sandbox_wabas.routes,
        *pages.routes(),
    ]
