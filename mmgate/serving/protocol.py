"""The HTTP protocol uvicorn runs, with the bounds it lacks.

uvicorn closes a keep-alive connection that idles after a response, but not one that
never sends a request, nor one that sends its headers a byte at a time (slowloris):
any data resets its idle timer. Here every request's headers must be complete within
`header_timeout` of the connection opening (or of the previous response), and past
`max_connections` a new connection is closed at once, so idle or slow clients can
neither hold every file descriptor nor lock others out.
"""

from __future__ import annotations

import asyncio
import logging
from typing import ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger(__name__)


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    # Class-wide, set once per process by mmgate.serving.runner before serving.
    header_timeout: ClassVar[float] = 10.0
    max_connections: ClassVar[int] = 1000

    _header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            log.warning("connection refused: %d open connections", len(self.connections) - 1)
            transport.close()
            return
        self._arm_header_deadline()

    def on_headers_complete(self) -> None:
        self._disarm_header_deadline()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # uvicorn armed its keep-alive timer: the connection now waits for the next request.
        if self.timeout_keep_alive_task is not None:
            self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
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
