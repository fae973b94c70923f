"""Every request body is capped, whatever the route, and never NUL-bearing.

One guard in front of the whole app, so no handler (a login form, the Meta webhook
receiver, a sandbox call) can be made to buffer an unbounded body. A declared
Content-Length past the cap is refused before a byte is read; a chunked body is counted
as it arrives and cut at the cap. The handler's read then fails (so no handler ever acts
on a truncated body), and its answer is replaced by a 413 (or 400) in the surface's
shape, sent with `Connection: close` so the rest of the body is never read. A body that
arrives too slowly is the protocol's to close (mmgate/serving/protocol.py).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mmgate.serving.refusals import refusal

log = logging.getLogger(__name__)


class BodyCut(Exception):
    """Raised into the handler reading a body that was refused."""


@dataclass(frozen=True)
class BodyBounds:
    max_bytes: int


NUL_REFUSED = "NUL characters are not allowed in a request."
# A NUL as a raw byte, as JSON's escape, or percent-encoded (query strings and forms).
_JSON_NUL = b"\\u0000"
_FORM_NUL = b"%00"
_FORM = b"application/x-www-form-urlencoded"


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
        length: int | None = None
        chunked = form = False
        for name, value in scope["headers"]:  # one pass; the hot path runs through here
            if name == b"content-length":
                length = int(value) if value.isdigit() else None
            elif name == b"transfer-encoding":
                chunked = True
            elif name == b"content-type":
                form = value.lower().startswith(_FORM)
        path = scope["path"]
        if length is not None and length > self.bounds.max_bytes:
            await _refuse(send, path, 413, self._too_large())
        elif "\x00" in path:  # no resource is named with a NUL
            await _refuse(send, path, 404, "Not found.")
        elif scope["query_string"] and _has_nul(scope["query_string"], form=True):
            # The Meta handshake answers a bad verification with 403, as Meta expects.
            await _refuse(send, path, 403 if path == "/meta/webhook" else 400, NUL_REFUSED)
        elif length is None and not chunked:
            await self.app(scope, receive, send)  # no body to bound
        else:
            await _Exchange(self, scope, receive, send, form).run()

    def _too_large(self) -> str:
        return f"The request body exceeds {self.bounds.max_bytes} bytes."


class _Exchange:
    """One request with a body: counts it, checks it for NUL, and swaps in a refusal.

    A body that ends in a disconnect (the client left, or the protocol closed a body too
    slow: mmgate/serving/protocol.py) is cut too: the handler's read fails, so no handler
    acts on a truncated body."""

    def __init__(
        self, guard: BoundedBodies, scope: Scope, receive: Receive, send: Send, form: bool
    ) -> None:
        self.guard = guard
        self.scope = scope
        self._receive = receive
        self._send = send
        self.form = form  # Text columns (PostgreSQL's) cannot hold NUL: no body with one gets in.
        self.size = 0
        self.body_done = False
        self.started = False
        self.cut = False  # the body ended early: there is nobody to answer
        self.refused: tuple[int, str] | None = None
        self.tail = b""  # the end of the previous chunk, for a NUL escape split across two

    async def run(self) -> None:
        try:
            await self.guard.app(self.scope, self.receive, self.send)
        except Exception:
            if self.refused is None and not self.cut:
                raise
            # The handler failed on the cut body; the refusal (if any) is its answer.
        if self.refused is not None and not self.started:
            status, message = self.refused
            await _refuse(self._send, self.scope["path"], status, message)

    async def receive(self) -> Message:
        if self.refused is not None or self.cut:
            raise BodyCut
        message = await self._receive()
        if self.body_done:
            return message
        if message["type"] != "http.request":
            self.cut = True
            raise BodyCut
        chunk: bytes = message.get("body", b"")
        self.size += len(chunk)
        if self.size > self.guard.bounds.max_bytes:
            self.refused = (413, self.guard._too_large())
            raise BodyCut
        if _has_nul(self.tail + chunk, form=self.form):
            self.refused = (400, NUL_REFUSED)
            raise BodyCut
        self.tail = chunk[-5:]
        self.body_done = not message.get("more_body", False)
        return message

    async def send(self, message: Message) -> None:
        if (self.refused is not None or self.cut) and not self.started:
            return  # the handler's answer to a cut body is replaced by the refusal, or dropped
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
