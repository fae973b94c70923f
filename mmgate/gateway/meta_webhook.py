"""`/meta/webhook`: where Meta (or the emulator) delivers webhooks to the gateway.

GET answers the verify-token handshake; POST checks `X-Hub-Signature-256` on
the raw body before anything is parsed, stores what it learns and queues the
client relays in one transaction, then answers 200.
"""

from __future__ import annotations

import hmac
import logging

import msgspec
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from mmgate.domain.meta_envelope import shape_problem
from mmgate.gateway.context import gateway_of
from mmgate.services import inbound
from mmgate.signing import META_SIGNATURE_HEADER, verify
from mmgate.web.routing import FastRoute

log = logging.getLogger(__name__)


async def handshake(request: Request) -> Response:
    gateway = gateway_of(request)
    credentials = await gateway.upstream.get(1)
    params = request.query_params
    token = params.get("hub.verify_token", "")
    if (
        credentials is not None
        and params.get("hub.mode") == "subscribe"
        and hmac.compare_digest(token.encode(), credentials.verify_token.encode())
    ):
        return PlainTextResponse(params.get("hub.challenge", ""))
    return PlainTextResponse("verification failed", status_code=403)


async def receive(request: Request) -> Response:
    gateway = gateway_of(request)
    credentials = await gateway.upstream.get(1)
    raw = await request.body()
    if credentials is None or not verify(
        credentials.app_secret, raw, request.headers.get(META_SIGNATURE_HEADER)
    ):
        return PlainTextResponse("invalid signature", status_code=401)
    try:
        payload = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return PlainTextResponse("invalid JSON", status_code=400)
    problem = shape_problem(payload)
    if problem is not None:
        return PlainTextResponse(f"not a webhook: {problem}", status_code=400)
    await inbound.process(gateway, payload)
    return PlainTextResponse("ok")


routes = [
    Route("/meta/webhook", handshake, methods=["GET"]),
    FastRoute("/meta/webhook", receive, methods=["POST"]),  # three times per message
]
