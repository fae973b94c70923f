"""Calls an ASGI app in this process: the request as ASGI events, the response collected.

The receiving app cannot tell it from a socket (same scope, headers and body), so the
boundary between the gateway and the emulator stays the Graph API and signed webhooks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message

from mmgate.httpclient.base import HttpResponse, RequestFailed

log = logging.getLogger(__name__)


class InProcessClient:
    def __init__(self, app: ASGIApp, *, timeout: float = 30.0) -> None:
        self._app = app
        self._timeout = timeout

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        time_limit: float | None = None,
    ) -> HttpResponse:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = parts.port or (443 if parts.scheme == "https" else 80)
        raw_headers = [(b"host", (parts.netloc or host).encode("latin-1"))]
        if body:
            raw_headers.append((b"content-length", str(len(body)).encode()))
        for name, value in (headers or {}).items():
            raw_headers.append((name.lower().encode("latin-1"), value.encode("latin-1")))
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": method.upper(),
            "scheme": parts.scheme or "http",
            "path": parts.path or "/",
            "raw_path": (parts.path or "/").encode("latin-1"),
            "query_string": parts.query.encode("latin-1"),
            "root_path": "",
            "headers": raw_headers,
            "client": ("127.0.0.1", 0),
            "server": (host, port),
            "state": {},
        }
        exchange = _Exchange(body or b"")
        try:
            async with asyncio.timeout(self._timeout if time_limit is None else time_limit):
                await self._app(scope, exchange.receive, exchange.send)
        except TimeoutError:
            raise RequestFailed("timed out in process", may_have_arrived=True) from None
        except Exception:
            if exchange.status is None:  # a bug in the app: answer as a server would
                log.exception("in-process %s %s failed", method, url)
                return HttpResponse(500, {}, b"")
        finally:
            exchange.finished.set()
        if exchange.status is None:
            raise RequestFailed("the app sent no response", may_have_arrived=True)
        return HttpResponse(exchange.status, exchange.headers, b"".join(exchange.chunks))

    async def aclose(self) -> None:
        return None


class _Exchange:
    __slots__ = ("_body", "_sent", "chunks", "finished", "headers", "status")

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._sent = False
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.chunks: list[bytes] = []
        self.finished = asyncio.Event()

    async def receive(self) -> Message:
        if not self._sent:
            self._sent = True
            return {"type": "http.request", "body": self._body, "more_body": False}
        await self.finished.wait()  # the client "hangs up" once the response is complete
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            self.headers = {
                k.decode("latin-1").lower(): v.decode("latin-1")
                for k, v in message.get("headers", [])
            }
        elif message["type"] == "http.response.body":
            chunk = message.get("body", b"")
            if chunk:
                self.chunks.append(chunk)
            if not message.get("more_body", False):
                self.finished.set()
