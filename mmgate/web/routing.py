"""The one route table's fast-path marker."""

from __future__ import annotations

from starlette.routing import Route


class FastRoute(Route):
    """A route the app serves before Starlette's router and middleware run (the hot path).

    It is registered once, in the app's one route table, like any other route; the app's
    direct dispatcher (mmgate/gateway/direct.py) finds the routes marked so in that table.
    Its endpoint is either a Starlette endpoint (request -> response) or a bare ASGI app.
    """
