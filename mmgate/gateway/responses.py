"""Response helpers for the framework-routed surfaces (Starlette)."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from mmgate.errors import GraphError
from mmgate.gateway.accept import Unauthorized
from mmgate.gateway.bodies import BodyRefused
from mmgate.gateway.messaging import UNAUTHORIZED_BODY
from mmgate.gateway.services import gateway_of
from mmgate.storage.port import Channel


def json_response(body: Any, status: int = 200) -> Response:
    return Response(msgspec.json.encode(body), status, media_type="application/json")


def refused_error(refused: BodyRefused) -> GraphError:
    """A body refused before decoding, as the Messaging API's error (413 or code 100)."""
    if refused.status == 413:
        return GraphError(1360004, refused.message)
    return GraphError(100, refused.message)


def d360_error(error: GraphError) -> Response:
    return json_response(error.d360_body(), error.http_status)


async def channel_or_401(request: Request) -> Channel | Response:
    try:
        return await gateway_of(request).accepter.authenticate(request.headers.get("d360-api-key"))
    except Unauthorized:
        return Response(UNAUTHORIZED_BODY, 401, media_type="application/json")
