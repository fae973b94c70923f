"""Every request body is capped and must arrive in time, whatever the route.

One guard in front of the whole app, so no handler (a login form, the Meta webhook
receiver, a sandbox call) can be made to buffer an unbounded body or wait forever for a
slow one. A declared Content-Length past the cap is refused before a byte is read; a
chunked body is counted as it arrives and cut at the cap. The handler's read then fails
(so no handler ever acts on a truncated body), and its answer is replaced by a 413 (or
408) in the surface's shape, sent with `Connection: close` so the rest of the body is
never read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mmgate.serving.refusals import refusal

log = logging.getLogger(__name__)


class BodyCut(Exception):
    """Raised into the handler reading a body that was refused."""


@dataclass(frozen=True)
class BodyBounds:
    max_bytes: int
    timeout_seconds: float


NUL_REFUSED = "NUL characters are not allowed in a request."
# A NUL as a raw byte, as JSON's escape, or percent-encoded (query strings and forms).
_JSON_NUL = b"\\u0000"
_FORM_NUL = b"%00"


def _has_nul(data: bytes, *, form: bool) -> bool:
    return b"\x00" in data or _JSON_NUL in data or (form and _FORM_NUL in data)


class BoundedBodies:
    def __init__(self, app: ASGIApp, bounds: BodyBounds) -> None:
        self.app = app
        self.bounds = bounds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.bounds.max_bytes:
            await _refuse(send, scope["path"], 413, self._too_large())
            return
        if "\x00" in scope["path"]:  # no resource is named with a NUL
            await _refuse(send, scope["path"], 404, "Not found.")
            return
        if _has_nul(scope["query_string"], form=True):
            # The Meta handshake answers a bad verification with 403, as Meta expects.
            status = 403 if scope["path"] == "/meta/webhook" else 400
            await _refuse(send, scope["path"], status, NUL_REFUSED)
            return
        await _Exchange(self, scope, receive, send).run()

    def _too_large(self) -> str:
        return f"The request body exceeds {self.bounds.max_bytes} bytes."


class _Exchange:
    """One request: counts its body, keeps its deadline, and swaps in a refusal."""

    def __init__(self, guard: BoundedBodies, scope: Scope, receive: Receive, send: Send) -> None:
        self.guard = guard
        self.scope = scope
        self._receive = receive
        self._send = send
        self.size = 0
        self.body_done = False
        self.started = False
        self.refused: tuple[int, str] | None = None
        self.deadline = time.monotonic() + guard.bounds.timeout_seconds
        # Text columns (PostgreSQL's above all) cannot hold NUL: no body carrying one gets in.
        self.form = _header(scope, b"content-type").startswith(b"application/x-www-form")
        self.tail = b""  # the end of the previous chunk, for a NUL escape split across two

    async def run(self) -> None:
        try:
            await self.guard.app(self.scope, self.receive, self.send)
        except Exception:
            if self.refused is None:
                raise
            # The handler failed on the cut body; the refusal is its answer.
        if self.refused is not None and not self.started:
            status, message = self.refused
            await _refuse(self._send, self.scope["path"], status, message)

    async def receive(self) -> Message:
        if self.refused is not None:
            raise BodyCut
        if self.body_done:
            return await self._receive()
        try:
            async with asyncio.timeout(max(0.0, self.deadline - time.monotonic())):
                message = await self._receive()
        except TimeoutError:
            log.info("request body too slow: %s", self.scope["path"])
            self.refused = (408, "The request body did not arrive in time.")
            raise BodyCut from None
        if message["type"] == "http.request":
            self.size += len(message.get("body", b""))
            if self.size > self.guard.bounds.max_bytes:
                self.refused = (413, self.guard._too_large())
                raise BodyCut
            self.body_done = not message.get("more_body", False)
            self._check_nul(message.get("body", b""))
        return message

    def _check_nul(self, chunk: bytes) -> None:
        if _has_nul(self.tail + chunk, form=self.form):
            self.refused = (400, NUL_REFUSED)
            raise BodyCut
        self.tail = chunk[-5:]

    async def send(self, message: Message) -> None:
        if self.refused is not None and not self.started:
            return  # the handler's answer to a refused body is replaced by the refusal
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)


async def _refuse(send: Send, path: str, status: int, message: str) -> None:
    content_type, body = refusal(path, status, message)
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),  # the unread rest of the body is never read
    ]
    with contextlib.suppress(OSError):
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).lower()
    return b""


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    return int(value) if value.isdigit() else None
