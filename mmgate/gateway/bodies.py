"""Reading a JSON body on the framework-routed surfaces, within limits, before decoding:
its size (read no further than the cap) and its nesting depth. The hot send path has its
own reader (mmgate/gateway/asgi.py) with the same limits."""

from __future__ import annotations

from starlette.requests import Request

from mmgate.domain.json_limits import MAX_DEPTH, too_deep


class BodyRefused(Exception):
    """Carries the HTTP status and a message; each surface renders it in its own shape."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def json_body(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyRefused(413, f"The request body exceeds {limit} bytes.")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if too_deep(raw, MAX_DEPTH):
        raise BodyRefused(400, f"The request body nests deeper than {MAX_DEPTH} levels.")
    return raw
