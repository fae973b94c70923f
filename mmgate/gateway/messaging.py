"""`POST /messages` and `POST /marketing_messages`, 360dialog's Messaging API.

This is the hot path, so it is plain ASGI: auth, body, accept, answer. Errors
are Meta's error object in 360dialog's `{"detail": {"error": …}}` wrapper; a
bad key gets 360dialog's own 401 body.
"""

from __future__ import annotations

import logging

import msgspec
from starlette.types import Receive, Scope, Send

from mmgate.domain.payloads import EntryPoint
from mmgate.errors import GraphError
from mmgate.gateway.accept import Accepter, Unauthorized
from mmgate.gateway.asgi import BodyTooLarge, header, read_body, respond

log = logging.getLogger(__name__)
# 360dialog's documented body for a missing or wrong D360-API-KEY.
UNAUTHORIZED_BODY = msgspec.json.encode({"error": "Invalid api token."})
SEND_PATHS = {
    "/messages": EntryPoint.MESSAGES,
    "/marketing_messages": EntryPoint.MARKETING_MESSAGES,
}


class MessagingEndpoint:
    def __init__(self, accepter: Accepter, max_body_bytes: int) -> None:
        self._accepter = accepter
        self._max_body = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        entry_point = SEND_PATHS[scope["path"]]
        try:
            channel = await self._accepter.authenticate(header(scope, b"d360-api-key"))
        except Unauthorized:
            await respond(send, 401, UNAUTHORIZED_BODY)
            return
        try:
            body = await read_body(receive, self._max_body)
            answer = await self._accepter.accept(
                channel, entry_point, body, header(scope, b"idempotency-key")
            )
        except BodyTooLarge:
            too_large = GraphError(1360004, f"The request body exceeds {self._max_body} bytes.")
            await respond(send, 413, msgspec.json.encode(too_large.d360_body()))
        except GraphError as error:
            await respond(send, error.http_status, msgspec.json.encode(error.d360_body()))
        except Exception:
            log.exception("send failed unexpectedly")
            await respond(send, 500, msgspec.json.encode(GraphError(131000).d360_body()))
        else:
            await respond(send, 200, answer)
