"""`mmgate webhooks tail`: a local receiver that verifies and prints deliveries as they come."""

from __future__ import annotations

import contextlib
import json
import signal
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import click
import msgspec

from mmgate.cli.connection import Connection, connection_options
from mmgate.sdk import (
    AccountUpdateEvent,
    ClickEvent,
    MmgateError,
    StatusEvent,
    WebhookConfig,
    WebhookEvent,
    WebhookSignatureError,
    parse_webhook,
    verify_signature,
)


@click.group()
def webhooks() -> None:
    """Follow webhook deliveries."""


@webhooks.command(short_help="Receive webhooks locally and print them live.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=int, default=9000, show_default=True, help="0 picks a free port.")
@click.option(
    "--secret",
    envvar="MMGATE_WEBHOOK_SECRET",
    help="Verify X-Mmgate-Signature-256 with this secret (default: the workspace's).",
)
@click.option("--no-verify", is_flag=True, help="Accept unsigned or wrongly signed deliveries.")
@click.option(
    "--tolerance",
    type=float,
    default=300.0,
    show_default=True,
    help="Seconds a delivery's timestamp may differ from now.",
)
@click.option(
    "--register",
    is_flag=True,
    help="Point the channel's webhook here while tailing, and restore it on exit.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per event.")
@click.option("--max-events", type=click.IntRange(min=1), help="Exit after this many events.")
@connection_options()
def tail(
    host: str,
    port: int,
    secret: str | None,
    no_verify: bool,
    tolerance: float,
    register: bool,
    as_json: bool,
    max_events: int | None,
    connection: Connection,
) -> None:
    """Receive webhooks on a local port and print every event live.

    Point a channel at the printed URL (`POST /v1/configs/webhook`, or pass --register).
    Deliveries whose signature does not verify are answered 401, so the gateway retries.
    """
    secret = None if no_verify else (secret or connection.webhook_secret)
    receiver = Receiver(host, port, secret, tolerance, _printer(as_json), max_events)
    where = "verified" if secret else "NOT verified (no secret)"
    click.echo(f"Listening on {receiver.url} — signatures {where}. Ctrl-C stops.", err=True)
    replaced: list[WebhookConfig] = []  # filled before the webhook changes, not after
    try:
        # The handlers first: a signal right after "points here" must still restore it.
        with _interrupted_by(signal.SIGTERM, signal.SIGHUP):
            if register:
                _register(connection, receiver.url, replaced)
            receiver.serve()
    except KeyboardInterrupt:
        pass
    finally:
        receiver.close()
        for previous in replaced:
            with connection.client() as client:
                client.set_webhook(previous.url, previous.headers)
    click.echo(f"Stopped after {receiver.events} events.", err=True)


@contextlib.contextmanager
def _interrupted_by(*signals: signal.Signals) -> Iterator[None]:
    """These signals end the tail as Ctrl-C does, so the `finally` that restores the
    channel's webhook runs (their default action ends the process on the spot)."""

    def interrupt(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in signals}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _register(connection: Connection, url: str, replaced: list[WebhookConfig]) -> None:
    """Point the channel's webhook at `url`; what it replaces goes into `replaced` first,
    so an interrupt at any instant after the change finds what to restore."""
    with connection.client() as client:
        previous = client.get_webhook()
        replaced.append(previous)
        client.set_webhook(url, previous.headers)
    click.echo(f"The channel's webhook points here until exit (was {previous.url}).", err=True)


class Receiver:
    """One request at a time: deliveries are short, and events print in arrival order."""

    def __init__(
        self,
        host: str,
        port: int,
        secret: str | None,
        tolerance: float,
        show: Callable[[WebhookEvent], None],
        max_events: int | None,
    ) -> None:
        self.secret = secret
        self.tolerance = tolerance
        self.show = show
        self.max_events = max_events
        self.events = 0
        self._server = HTTPServer((host, port), _handler_for(self))
        self._done = threading.Event()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def serve(self) -> None:
        self._server.timeout = 0.5  # wake up now and then, so Ctrl-C is handled promptly
        while not self._done.is_set():
            self._server.handle_request()

    def close(self) -> None:
        self._server.server_close()

    def receive(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        if self.secret is not None:
            try:
                verify_signature(self.secret, body, headers, tolerance=self.tolerance)
            except WebhookSignatureError as exc:
                click.echo(f"refused a delivery: {exc}", err=True)
                return 401, "signature does not verify"
        try:
            events = parse_webhook(body)
        except MmgateError as exc:
            click.echo(f"refused a delivery: {exc}", err=True)
            return 400, "not a webhook"
        for event in events:
            self.show(event)
            self.events += 1
        if self.max_events is not None and self.events >= self.max_events:
            self._done.set()
        return 200, "ok"


def _handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            status, text = receiver.receive(body, dict(self.headers.items()))
            self._answer(status, text)

        def do_GET(self) -> None:
            self._answer(200, "mmgate webhooks tail")

        def _answer(self, status: int, text: str) -> None:
            payload = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return  # the events are the log

    return Handler


def _printer(as_json: bool) -> Callable[[WebhookEvent], None]:
    def show(event: WebhookEvent) -> None:
        if as_json:
            data = msgspec.to_builtins(event)
            data.pop("raw", None)
            click.echo(json.dumps({"type": _kind(event), **data}))
        else:
            click.echo(f"{datetime.now():%H:%M:%S}  {describe(event)}")

    return show


def _kind(event: WebhookEvent) -> str:
    return {
        StatusEvent: "status",
        ClickEvent: "click",
        AccountUpdateEvent: "account_update",
    }.get(type(event), "other")


def describe(event: WebhookEvent) -> str:
    if isinstance(event, StatusEvent):
        line = f"status   {event.id}  {event.status:<9}  to {event.recipient_id}"
        if event.pricing_category is not None:
            line += f"  {event.pricing_category}"
        for error in event.errors:
            line += f"  error {error.code}: {error.title}"
        return line
    if isinstance(event, ClickEvent):
        return (
            f"click    {event.action_type}  component {event.click_component}  "
            f"click_id {event.click_id}"
        )
    if isinstance(event, AccountUpdateEvent):
        return f"account  {event.event}  waba {event.waba_id}  business {event.owner_business_id}"
    return f"other    field {event.field}"
