"""`/v1/configs/templates`: a channel's WABA templates, 360dialog's shape over Graph."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.errors import GraphError
from mmgate.gateway.bodies import decode_json, json_body
from mmgate.gateway.channel_auth import authorised_channel
from mmgate.gateway.context import gateway_of
from mmgate.sdk.wire import TemplateList
from mmgate.upstream.graph import UpstreamUnavailable
from mmgate.web.responses import json_response


async def templates(request: Request) -> Response:
    channel = await authorised_channel(request)
    gateway = gateway_of(request)
    graph = gateway.graph
    try:
        if request.method == "POST":
            body = await json_body(request, gateway.settings.max_body_bytes)
            decode_json(body, dict[str, Any])
            created = await graph.create_template(channel.waba_id, body)
            return json_response(created)
        found = await graph.message_templates(channel.waba_id, request.query_params.get("name"))
    except UpstreamUnavailable as exc:
        raise GraphError(1360001, str(exc)) from None
    return json_response(TemplateList(len(found), {}, 1000, 0, ["id"], len(found), found))


routes = [Route("/v1/configs/templates", templates, methods=["GET", "POST"])]
