"""`POST /messages` and `POST /marketing_messages`, 360dialog's Messaging API.

This is the hot path, so it is plain ASGI: auth, body, accept, answer. Errors are
rendered by the one renderer of the Messaging API's shape (mmgate/web/surfaces.py):
Meta's error object in 360dialog's `{"detail": {"error": …}}` wrapper, and 360dialog's
own body for a bad key.
"""

from __future__ import annotations

import logging

from starlette.types import Receive, Scope, Send

from mmgate.domain.payloads import EntryPoint
from mmgate.errors import GraphError, Refusal
from mmgate.gateway.asgi import header
from mmgate.gateway.bodies import read_body
from mmgate.services.accept import Accepter, Unauthorized
from mmgate.web.responses import respond
from mmgate.web.surfaces import INVALID_API_TOKEN, error_response

log = logging.getLogger(__name__)
SEND_PATHS = {
    "/messages": EntryPoint.MESSAGES,
    "/marketing_messages": EntryPoint.MARKETING_MESSAGES,
}


# Stripe's bound; a longer key also overflowed PostgreSQL's btree index (a 500).
MAX_IDEMPOTENCY_KEY = 255


def _idempotency_key(scope: Scope) -> str | None:
    key = header(scope, b"idempotency-key")
    if key is not None and len(key) > MAX_IDEMPOTENCY_KEY:
        raise GraphError(
            100, f"The Idempotency-Key header must be at most {MAX_IDEMPOTENCY_KEY} characters."
        )
    return key


class MessagingEndpoint:
    def __init__(self, accepter: Accepter, max_body_bytes: int) -> None:
        self._accepter = accepter
        self._max_body = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        entry_point = SEND_PATHS[scope["path"]]
        try:
            channel = await self._accepter.authenticate(header(scope, b"d360-api-key"))
        except Unauthorized:
            await error_response(scope["path"], Refusal(401, INVALID_API_TOKEN))(
                scope, receive, send
            )
            return
        try:
            body = await read_body(receive, self._max_body)
            answer = await self._accepter.accept(
                channel, entry_point, body, _idempotency_key(scope)
            )
        except (GraphError, Refusal) as refused:
            await error_response(scope["path"], refused)(scope, receive, send)
        except Exception as exc:
            await error_response(scope["path"], exc)(scope, receive, send)  # logs it
        else:
            await respond(send, 200, answer)
