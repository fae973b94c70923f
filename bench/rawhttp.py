"""A minimal HTTP/1.1 keep-alive client and server on raw asyncio protocols.

Python's HTTP libraries cost far more per request than the servers we measure;
these do only what a load generator or a counting webhook receiver needs:
fixed request bytes out, status and body back, Content-Length framing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import cast

_HEAD_END = b"\r\n\r\n"


def request_bytes(method: str, path: str, headers: Mapping[str, str], body: bytes) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def header(head: bytes, name: bytes) -> bytes | None:
    """The value of header `name` (lower case) in a message head, or None."""
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    return None


def _content_length(head: bytes) -> int:
    return int(header(head, b"content-length") or 0)


def _split_message(buffer: bytearray) -> tuple[bytes, bytes] | None:
    """(head, body) of the first complete message in `buffer`, removing it."""
    end = buffer.find(_HEAD_END)
    if end < 0:
        return None
    head = bytes(buffer[:end])
    total = end + 4 + _content_length(head)
    if len(buffer) < total:
        return None
    body = bytes(buffer[end + 4 : total])
    del buffer[:total]
    return head, body


class ClientConnection(asyncio.Protocol):
    """One keep-alive connection; one request in flight at a time."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None
        self._waiter: asyncio.Future[tuple[int, bytes]] | None = None

    @classmethod
    async def open(cls, host: str, port: int) -> ClientConnection:
        loop = asyncio.get_running_loop()
        _, protocol = await loop.create_connection(cls, host, port)
        return protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        message = _split_message(self._buffer)
        if message is not None and self._waiter is not None and not self._waiter.done():
            head, body = message
            self._waiter.set_result((int(head[9:12]), body))

    def connection_lost(self, exc: Exception | None) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(exc or ConnectionError("connection closed"))

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        assert self._transport is not None
        self._waiter = asyncio.get_running_loop().create_future()
        self._transport.write(raw)
        return await self._waiter

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


_OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


class RecordingServerProtocol(asyncio.Protocol):
    """Answers every request 200 at once and hands its head and body to `on_request`."""

    def __init__(self, on_request: Callable[[bytes, bytes], None]) -> None:
        self._on_request = on_request
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while (message := _split_message(self._buffer)) is not None:
            assert self._transport is not None
            self._transport.write(_OK)
            self._on_request(*message)
