"""`GET /v1/template_analytics`: Meta's template analytics for the channel's WABA, with
the MM product type, on the Messaging API (channel key). 360dialog documents querying
template analytics through its API; mmgate's path and parameters are its own choice
(docs/max-price.md): they are Meta's modifiers as query parameters, and the answer is
Meta's `template_analytics` object unchanged."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.errors import GraphError
from mmgate.gateway.channel_auth import authorised_channel
from mmgate.gateway.context import gateway_of
from mmgate.upstream.graph import UpstreamUnavailable
from mmgate.web.responses import json_response

PRODUCT_TYPES = ("CLOUD_API", "MARKETING_MESSAGES_LITE_API")
_IDS = re.compile(r"^\d+(,\d+){0,9}$")


def _fields(request: Request) -> str:
    q = request.query_params
    start, end = q.get("start", ""), q.get("end", "")
    if not start.isdigit() or not end.isdigit():
        raise GraphError(100, "start and end are required: unix times in seconds.")
    product = q.get("product_type", "MARKETING_MESSAGES_LITE_API").upper()
    if product not in PRODUCT_TYPES:
        raise GraphError(100, f"product_type must be one of {', '.join(PRODUCT_TYPES)}.")
    fields = f"template_analytics.start({start}).end({end}).granularity(DAILY)"
    ids = q.get("template_ids", "")
    if ids:
        if not _IDS.match(ids):
            raise GraphError(100, "template_ids must be 1..10 comma-separated template ids.")
        fields += f".template_ids([{ids}])"
    return fields + f".product_type({product})"


async def template_analytics(request: Request) -> Response:
    channel = await authorised_channel(request)
    fields = _fields(request)
    try:
        body = await gateway_of(request).graph.object_fields(channel.waba_id, fields)
    except UpstreamUnavailable as exc:
        raise GraphError(1360001, str(exc)) from None
    return json_response(body.get("template_analytics", {"data": []}))


routes = [Route("/v1/template_analytics", template_analytics, methods=["GET"])]
