"""Reading a request body within limits, before decoding: its size (read no further than the
cap) and, for JSON, its nesting depth. The one reader, for the bare-ASGI send path and the
framework-routed surfaces alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypeVar

import msgspec
from starlette.requests import Request
from starlette.types import Message, Receive

from mmgate.domain.json_limits import MAX_DEPTH, too_deep
from mmgate.errors import Refusal

T = TypeVar("T")


class BodyRefused(Refusal):
    """413 or 400; each surface renders it in its own shape (mmgate/web/surfaces.py)."""


async def read_body(receive: Receive, limit: int) -> bytes:
    """The body of a bare-ASGI request, at most `limit` bytes."""
    first = await receive()
    if first["type"] == "http.request" and not first.get("more_body", False):
        body: bytes = first.get("body", b"")  # the usual case: one message, no iterator
        _check_size(len(body), limit)
        return body
    return await _capped(_chunks(receive, first), limit)


async def json_body(request: Request, limit: int) -> bytes:
    """A Starlette request's body, at most `limit` bytes and nested no deeper than JSON allows."""
    raw = await _capped(request.stream(), limit)
    if too_deep(raw, MAX_DEPTH):
        raise BodyRefused(400, f"The request body nests deeper than {MAX_DEPTH} levels.")
    return raw


def decode_json(raw: bytes, kind: type[T]) -> T:
    """`raw` decoded as `kind`; a 400 naming what is wrong otherwise."""
    try:
        return msgspec.json.decode(raw, type=kind)
    except msgspec.ValidationError as exc:
        raise BodyRefused(400, f"Invalid request body: {exc}") from None
    except msgspec.DecodeError:
        raise BodyRefused(400, "The request body is not valid JSON.") from None


async def _capped(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    read: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        _check_size(size, limit)
        read.append(chunk)
    return b"".join(read)


def _check_size(size: int, limit: int) -> None:
    if size > limit:
        raise BodyRefused(413, f"The request body exceeds {limit} bytes.")


async def _chunks(receive: Receive, message: Message) -> AsyncIterator[bytes]:
    while message["type"] != "http.disconnect":
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return
        message = await receive()
