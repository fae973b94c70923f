"""Each surface's error shape, in one place (design §2):

- Messaging API (360dialog: /messages, /marketing_messages, /v1/…): Meta's error object in
  360dialog's `{"detail": {"error": …}}`; a bad key gets 360dialog's `{"error": "Invalid api
  token."}`.
- Graph API (the emulator, /graph/…): `{"error": {…}}`.
- Partner API (/api/v2/partners/…): the envelope `{"meta": {…}, "status_code", "data"}`.
- sandbox control API (/sandbox/…): `{"error": {"message", "code"}}`.
- anything else (pages, /meta/webhook): text/plain; the Hub's pages render their own notices
  in mmgate/ui/context.py.

Routes raise `GraphError` (a catalogue code) or `Refusal` (a status and a message) and never
build an error body themselves; `error_response` renders either for the request's path, and
`exception_handlers` registers it with Starlette. An unexpected exception is logged and
answered 500 in the same shape, without a trace.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from enum import Enum
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from mmgate.errors import GraphError, Refusal
from mmgate.ids import new_trace_id
from mmgate.sdk.wire import INVALID_API_TOKEN as INVALID_API_TOKEN  # 360dialog's 401 text
from mmgate.sdk.wire import InvalidApiToken
from mmgate.sdk.wire_partner import Envelope, EnvelopeMeta
from mmgate.web.responses import json_response

log = logging.getLogger(__name__)


class Surface(Enum):
    MESSAGING = "messaging"
    GRAPH = "graph"
    PARTNER = "partner"
    SANDBOX = "sandbox"
    OTHER = "other"


_PREFIXES = (
    (("/messages", "/marketing_messages", "/v1/"), Surface.MESSAGING),
    (("/graph/",), Surface.GRAPH),
    (("/api/v2/partners",), Surface.PARTNER),
    (("/sandbox/",), Surface.SANDBOX),
)


def surface_of(path: str) -> Surface:
    for prefixes, surface in _PREFIXES:
        if path.startswith(prefixes):
            return surface
    return Surface.OTHER


def error_response(path: str, exc: Exception) -> Response:
    """The answer to `exc` raised while serving `path`, in that surface's shape."""
    surface = surface_of(path)
    if isinstance(exc, GraphError):
        return _graph_error(surface, exc)
    if isinstance(exc, Refusal):
        return _refusal(surface, exc)
    log.error("%s failed unexpectedly", path, exc_info=exc)
    return _graph_error(surface, GraphError(131000))


def server_error_response(path: str) -> Response:
    """A 500 in the surface's shape (the exception is logged by whoever caught it)."""
    return _graph_error(surface_of(path), GraphError(131000))


def partner_envelope(data: Any, status: int = 200, message: str = "OK") -> Envelope:
    """360dialog's Partner API envelope, for answers and errors alike."""
    meta = EnvelopeMeta(message, status, status < 400, new_trace_id())
    return Envelope(meta, status, data)


def _graph_error(surface: Surface, error: GraphError) -> Response:
    status = error.http_status
    if surface is Surface.MESSAGING:
        return json_response(error.d360_answer(), status)
    if surface is Surface.GRAPH:
        return json_response(error.graph_answer(), status)
    return _refusal(surface, Refusal(status, error.details))


def _refusal(surface: Surface, refusal: Refusal) -> Response:
    status, message, headers = refusal.status, refusal.message, refusal.headers
    if surface is Surface.PARTNER:
        return json_response(partner_envelope({}, status, message), status, headers)
    if surface is Surface.SANDBOX:
        return json_response({"error": {"message": message, "code": status}}, status, headers)
    if surface is Surface.MESSAGING and status == 401:
        return json_response(InvalidApiToken(), 401, headers)
    if surface in (Surface.MESSAGING, Surface.GRAPH):
        code = 1360004 if status == 413 else 100
        graph = _graph_error(surface, GraphError(code, message, http_status=status))
        graph.headers.update(headers or {})
        return graph
    return PlainTextResponse(message, status, headers)


Handler = Callable[[Request, Exception], Awaitable[Response]]


async def _handle(request: Request, exc: Exception) -> Response:
    return error_response(request.url.path, exc)


async def _server_error(request: Request, exc: Exception) -> Response:
    # Starlette's ServerErrorMiddleware calls this, then re-raises for the server to log.
    return server_error_response(request.url.path)


def exception_handlers() -> Mapping[Any, Handler]:
    """For `Starlette(exception_handlers=…)`: every surface's errors, rendered here."""
    return {GraphError: _handle, Refusal: _handle, Exception: _server_error}
