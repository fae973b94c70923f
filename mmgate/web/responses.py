"""The one way a JSON answer is made, for Starlette handlers and for bare ASGI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from starlette.responses import Response
from starlette.types import Send

JSON = "application/json"
_encode = msgspec.json.Encoder().encode


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(_encode(body), status, headers, media_type=JSON)


async def respond(send: Send, status: int, body: bytes) -> None:
    """A JSON answer on bare ASGI (the hot path: no Response object per request)."""
    headers = [(b"content-type", JSON.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
