"""The HTTP protocol uvicorn runs, with the bounds it lacks.

uvicorn closes a keep-alive connection that idles after a response, but not one that
never sends a request, nor one that sends its headers a byte at a time (slowloris):
any data resets its idle timer. Here a request's line and headers must arrive within
`header_timeout` of the connection opening (or of the previous response) and within
`MAX_HEADER_BYTES` (else 431), and its body within `body_timeout` of its headers (else
408). Past `max_connections`, the connection that has waited longest for a request's
headers is closed to admit the new one (when every connection is busy with a request,
the new one is closed). Idle, slow or endless clients can then hold neither every file
descriptor nor memory, and cannot lock others out.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mmgate.serving.refusals import refusal

log = logging.getLogger(__name__)
MAX_HEADER_BYTES = 64 * 1024  # request line and headers; httptools itself has no bound
_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain\r\n"
    b"content-length: 36\r\nconnection: close\r\n\r\nThe request headers are too large.\r\n"
)

_ARMING = itertools.count(1)


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    # Class-wide, set once per process by mmgate.serving.runner before serving.
    header_timeout: ClassVar[float] = 10.0
    body_timeout: ClassVar[float] = 30.0
    max_connections: ClassVar[int] = 1000

    _body_deadline: asyncio.TimerHandle | None = None
    _header_deadline: asyncio.TimerHandle | None = None
    _armed = 0  # when the wait for headers began, in arming order (eviction picks the least)
    _header_bytes = 0  # received since the current request began, until its headers end

    def data_received(self, data: bytes) -> None:
        armed = self._armed
        super().data_received(data)
        if self._header_deadline is None or self.transport.is_closing():
            return  # not waiting for headers (a body, or closed)
        if self._armed != armed:
            return  # the wait began within this chunk (after a body): count from the next
        self._header_bytes += len(data)
        if self._header_bytes > MAX_HEADER_BYTES:
            log.info("closed a connection whose request headers passed %d bytes", MAX_HEADER_BYTES)
            self._disarm_header_deadline()
            self.transport.write(_TOO_LARGE)
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections and not self._evict_idlest():
            log.warning("connection refused: %d open connections", len(self.connections) - 1)
            transport.close()
            return
        self._arm_header_deadline()

    def _evict_idlest(self) -> bool:
        """At the bound, make room by closing the connection that has waited longest for
        a request's headers (idle or slow): a flood of idle connections then cannot lock
        a new client out. False when every connection is busy with a request."""
        waiting = [
            c
            for c in self.connections
            if isinstance(c, BoundedHttpToolsProtocol) and c._header_deadline is not None
        ]
        if not waiting:
            return False
        idlest = min(waiting, key=lambda c: c._armed)
        log.info("closed the idlest connection to admit a new one (connection bound)")
        idlest._disarm_header_deadline()
        idlest.transport.close()
        return True

    def on_headers_complete(self) -> None:
        self._disarm_header_deadline()
        super().on_headers_complete()
        if _has_body(self.headers):  # one timer per request with a body, not per chunk
            self._body_deadline = self.loop.call_later(self.body_timeout, self._body_too_slow)

    def on_message_complete(self) -> None:
        self._disarm_body_deadline()
        super().on_message_complete()
        if self.cycle.response_complete and self.timeout_keep_alive_task is not None:
            self._arm_header_deadline()  # answered before its body ended: now idle

    def _disarm_body_deadline(self) -> None:
        if self._body_deadline is not None:
            self._body_deadline.cancel()
            self._body_deadline = None

    def _body_too_slow(self) -> None:
        """408 (unless the answer has begun) and close: the handler sees a disconnect,
        which the body guard turns into a failed read (mmgate/serving/bounds.py)."""
        self._body_deadline = None
        if self.transport.is_closing():
            return
        log.info("closed a connection whose request body did not arrive in time")
        cycle = self.cycle
        if cycle is not None and not cycle.response_started:
            path = str(self.scope.get("path", ""))
            content_type, body = refusal(path, 408, "The request body did not arrive in time.")
            head = (
                b"HTTP/1.1 408 Request Timeout\r\ncontent-type: "
                + content_type
                + b"\r\ncontent-length: "
                + str(len(body)).encode()
                + b"\r\nconnection: close\r\n\r\n"
            )
            self.transport.write(head + body)
        self.transport.close()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # uvicorn armed its keep-alive timer: the connection now waits for the next request,
        # once the body of this one has ended (a handler may answer before reading it).
        if self.timeout_keep_alive_task is not None and not self.cycle.more_body:
            self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        self._disarm_body_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self._header_bytes = 0
        self._armed = next(_ARMING)
        self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing():
            log.info("closed a connection whose request headers did not arrive in time")
            self.transport.close()


def _has_body(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name == b"transfer-encoding" or (name == b"content-length" and value != b"0"):
            return True
    return False
