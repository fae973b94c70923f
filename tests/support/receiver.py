"""A real HTTP webhook receiver that records requests and can be told to fail or recover."""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import anyio.to_thread


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status_answered: int

    def json(self) -> Any:
        return json.loads(self.body)


# Generous: only a failing test waits this long, and a loaded machine under coverage is slow.
WAIT_SECONDS = 30.0


class WebhookReceiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.answer_status = 200
        self.answer_headers: dict[str, str] = {}  # e.g. Retry-After
        self.arrived = 0  # requests that reached the handler, answered or not
        self.hang = threading.Event()  # set: requests hang until `release` is set
        self.release = threading.Event()
        # Meta's hub.challenge check: answered when the verify token matches.
        self.verify_token = "receiver-verify-token"
        self.challenges: list[dict[str, str]] = []
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = dict(parse_qsl(urlsplit(self.path).query))
                receiver.challenges.append(query)
                ok = (
                    query.get("hub.mode") == "subscribe"
                    and query.get("hub.verify_token") == receiver.verify_token
                )
                answer = query.get("hub.challenge", "").encode() if ok else b"forbidden"
                self.send_response(200 if ok else 403)
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver._cond:
                    receiver.arrived += 1
                    receiver._cond.notify_all()
                if receiver.hang.is_set():
                    receiver.release.wait(30)  # a receiver that does not answer in time
                status = receiver.answer_status
                self.send_response(status)
                for name, value in receiver.answer_headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                with receiver._cond:
                    receiver.requests.append(
                        Received(
                            self.path, {k.lower(): v for k, v in self.headers.items()}, body, status
                        )
                    )
                    receiver._cond.notify_all()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll: stop() returns within 50 ms instead of serve_forever's 0.5 s.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def succeeded(self) -> list[Received]:
        with self._cond:
            return [r for r in self.requests if 200 <= r.status_answered < 300]

    def wait_for(
        self,
        predicate: Callable[[list[Received]], bool],
        timeout: float = WAIT_SECONDS,
        *,
        recheck_every: float | None = None,
    ) -> list[Received]:
        """Block until `predicate(successful requests)` holds; fail the test after `timeout`.

        The predicate is checked on every arrival; `recheck_every` also checks it that often,
        for a predicate that reads state a webhook does not announce (the gateway's database).
        """
        deadline = time.monotonic() + timeout
        with self._cond:

            def holds() -> bool:
                return predicate([r for r in self.requests if 200 <= r.status_answered < 300])

            ok = holds()
            while not ok and (left := deadline - time.monotonic()) > 0:
                self._cond.wait(min(left, recheck_every or left))
                ok = holds()
            if not ok:
                raise AssertionError(
                    f"webhooks not received in {timeout}s; got "
                    f"{[r.body[:300] for r in self.requests]}"
                )
            return [r for r in self.requests if 200 <= r.status_answered < 300]

    def wait_for_arrivals(self, count: int, timeout: float = WAIT_SECONDS) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self.arrived >= count, timeout):
                raise AssertionError(f"expected {count} arrivals, got {self.arrived}")

    def wait_for_attempts(self, count: int, timeout: float = WAIT_SECONDS) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"expected {count} attempts, got {len(self.requests)}")

    # For a test whose app runs in its own event loop (tests/support/inprocess.py): the same
    # waits in a worker thread, so the app's workers keep running while the test waits.

    async def wait_for_async(
        self,
        predicate: Callable[[list[Received]], bool],
        *,
        recheck_every: float | None = None,
    ) -> list[Received]:
        wait = functools.partial(self.wait_for, predicate, recheck_every=recheck_every)
        return await anyio.to_thread.run_sync(wait)

    async def wait_for_arrivals_async(self, count: int) -> None:
        await anyio.to_thread.run_sync(self.wait_for_arrivals, count)

    async def wait_for_attempts_async(self, count: int) -> None:
        await anyio.to_thread.run_sync(self.wait_for_attempts, count)


def statuses(requests: list[Received]) -> list[dict[str, Any]]:
    """Every status object in the received webhooks, in arrival order."""
    found = []
    for request in requests:
        for entry in request.json().get("entry", []):
            for change in entry.get("changes", []):
                found += change.get("value", {}).get("statuses", [])
    return found
