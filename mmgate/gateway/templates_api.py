"""`/v1/configs/templates`: a channel's WABA templates, 360dialog's shape over Graph."""

from __future__ import annotations

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.errors import GraphError
from mmgate.gateway.bodies import BodyRefused, json_body
from mmgate.gateway.responses import channel_or_401, d360_error, json_response, refused_error
from mmgate.gateway.services import gateway_of
from mmgate.upstream.graph import UpstreamUnavailable


async def templates(request: Request) -> Response:
    channel = await channel_or_401(request)
    if isinstance(channel, Response):
        return channel
    gateway = gateway_of(request)
    graph = gateway.graph
    try:
        if request.method == "POST":
            try:
                body = await json_body(request, gateway.settings.max_body_bytes)
            except BodyRefused as refused:
                raise refused_error(refused) from None
            try:
                msgspec.json.decode(body)
            except msgspec.DecodeError:
                raise GraphError(100, "The request body is not valid JSON.") from None
            created = await graph.create_template(channel.waba_id, body)
            return json_response(created)
        found = await graph.message_templates(channel.waba_id, request.query_params.get("name"))
    except GraphError as error:
        return d360_error(error)
    except UpstreamUnavailable as exc:
        return d360_error(GraphError(1360001, str(exc)))
    return json_response(
        {
            "count": len(found),
            "filters": {},
            "limit": 1000,
            "offset": 0,
            "sort": ["id"],
            "total": len(found),
            "waba_templates": found,
        }
    )


routes = [Route("/v1/configs/templates", templates, methods=["GET", "POST"])]
