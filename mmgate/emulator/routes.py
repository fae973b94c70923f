"""Every surface of the emulator: Graph API, sandbox control API, pages."""

from __future__ import annotations

from starlette.routing import BaseRoute

from mmgate.emulator import graph_api, graph_templates, sandbox_api


def routes() -> list[BaseRoute]:
    return [*graph_api.routes, *graph_templates.routes, *sandbox_api.routes]
