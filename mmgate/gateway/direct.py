"""The busiest internal routes, called without Starlette's router and middleware.

Every message crosses `POST /graph/…/(marketing_)messages` once and `POST /meta/webhook`
three times in the embedded set-up; walking the route table and the middleware stack for
each was a measurable share of a message's cost. The handlers are the same Starlette
endpoints, given the request they would get through the router.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from mmgate.web.surfaces import error_response

log = logging.getLogger(__name__)
Endpoint = Callable[[Request], Awaitable[Response]]
_PARAM = re.compile(r"\{(\w+)\}")


class DirectRoutes:
    def __init__(self, app: Starlette, routes: list[tuple[str, Endpoint]]) -> None:
        self._app = app
        self._routes = [(_compile(path), endpoint) for path, endpoint in routes]

    def find(self, scope: Scope) -> tuple[Endpoint, dict[str, str]] | None:
        if scope["type"] != "http" or scope["method"] != "POST":
            return None
        path = scope["path"]
        for pattern, endpoint in self._routes:
            match = pattern.fullmatch(path)
            if match is not None:
                return endpoint, match.groupdict()
        return None

    async def serve(
        self,
        found: tuple[Endpoint, dict[str, str]],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        endpoint, params = found
        scope = {**scope, "app": self._app, "path_params": params}
        try:
            response = await endpoint(Request(scope, receive))
        except Exception as exc:  # what the app's exception handlers would do
            response = error_response(scope["path"], exc)
        await response(scope, receive, send)


def _compile(path: str) -> re.Pattern[str]:
    return re.compile(_PARAM.sub(lambda m: f"(?P<{m.group(1)}>[^/]+)", path))
