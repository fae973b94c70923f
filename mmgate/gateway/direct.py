"""The busiest routes, called without Starlette's router and middleware.

Every message crosses `POST /messages` (or `/marketing_messages`) once, `POST /graph/…/
(marketing_)messages` once and `POST /meta/webhook` three times in the embedded set-up;
walking the route table and the middleware stack for each was a measurable share of a
message's cost. Those routes are marked `FastRoute` in the app's one route table and found
there; their handlers are the same endpoints, given the request they would get through the
router. A bare ASGI endpoint (the send path) gets the connection as it came.
"""

from __future__ import annotations

import inspect
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from mmgate.web.routing import FastRoute
from mmgate.web.surfaces import error_response

Found = tuple[FastRoute, dict[str, Any]]


class DirectRoutes:
    def __init__(self, app: Starlette) -> None:
        self._app = app
        fast = [route for route in app.routes if isinstance(route, FastRoute)]
        self._static = {route.path: route for route in fast if not route.param_convertors}
        self._dynamic = [route for route in fast if route.param_convertors]
        self._asgi = {
            id(route)
            for route in fast
            if not (inspect.isfunction(route.endpoint) or inspect.ismethod(route.endpoint))
        }

    def find(self, scope: Scope) -> Found | None:
        if scope["type"] != "http":
            return None
        path, method = scope["path"], scope["method"]
        route = self._static.get(path)
        if route is not None:
            return (route, {}) if method in (route.methods or ()) else None
        for route in self._dynamic:
            match = route.path_regex.match(path)
            if match is not None and method in (route.methods or ()):
                convertors = route.param_convertors
                params = {k: convertors[k].convert(v) for k, v in match.groupdict().items()}
                return route, params
        return None

    async def serve(self, found: Found, scope: Scope, receive: Receive, send: Send) -> None:
        route, params = found
        if id(route) in self._asgi:
            await route.endpoint(scope, receive, send)
            return
        scope = {**scope, "app": self._app, "path_params": params}
        try:
            response = await route.endpoint(Request(scope, receive))
        except Exception as exc:  # what the app's exception handlers would do
            response = error_response(scope["path"], exc)
        await response(scope, receive, send)
