"""`mmgate webhooks tail` as a real process receiving the real server's deliveries."""

from __future__ import annotations

import json
import signal

import pytest

from mmgate.sdk import Client
from tests.integration.cli.support import MmgateProcess
from tests.integration.sdk.conftest import FAST_RETRY
from tests.support import seed
from tests.support.server import ServerProcess


def _tail(server: ServerProcess, *args: str) -> tuple[MmgateProcess, str]:
    process = MmgateProcess(
        *("webhooks", "tail", "--port", "0", "--data-dir", str(server.data_dir)), *args
    )
    line = process.wait_for_line(lambda text: text.startswith("Listening on "))
    return process, line.split()[2]


def test_tail_verifies_prints_each_event_and_restores_the_webhook(server: ServerProcess) -> None:
    process, url = _tail(server, "--register", "--json", "--max-events", "3")
    try:
        process.wait_for_line(lambda text: "webhook points here" in text)
        with Client.from_workspace(server.data_dir, retry=FAST_RETRY) as client:
            sent = client.send_marketing_message(seed.SEED_EXAMPLE)
            client.sandbox_clock(advance_seconds=60)

            assert process.finish() == 0
            restored = client.get_webhook()
    finally:
        process.kill()

    events = [json.loads(line) for line in process.lines if line.startswith("{")]
    assert [(e["type"], e["id"], e["status"]) for e in events] == [
        ("status", sent.wamid, "sent"),
        ("status", sent.wamid, "delivered"),
        ("status", sent.wamid, "read"),
    ]
    assert events[0]["recipient_id"] == "441234567890"
    assert restored.url is None and url.startswith("http://127.0.0.1:")
    assert "Stopped after 3 events." in process.lines


def test_tail_refuses_deliveries_signed_with_another_secret(server: ServerProcess) -> None:
    process, url = _tail(server, "--secret", "not-the-partner-secret")
    try:
        with Client.from_workspace(server.data_dir, retry=FAST_RETRY) as client:
            client.set_webhook(url)
            client.send_marketing_message(seed.SEED_EXAMPLE)
            client.sandbox_clock(advance_seconds=1)

        refusal = process.wait_for_line(lambda text: text.startswith("refused a delivery"))
        process.interrupt()  # Ctrl-C
        assert process.finish() == 0
    finally:
        process.kill()

    assert "does not match" in refusal
    assert "Stopped after 0 events." in process.lines


def test_tail_prints_readable_lines_by_default(server: ServerProcess) -> None:
    process, url = _tail(server, "--max-events", "1")
    try:
        with Client.from_workspace(server.data_dir, retry=FAST_RETRY) as client:
            client.set_webhook(url)
            sent = client.send_marketing_message({**seed.SEED_EXAMPLE, "to": "447700900000"})
            client.sandbox_clock(advance_seconds=60)
        assert process.finish() == 0
    finally:
        process.kill()

    (line,) = [text for text in process.lines if sent.wamid in text]
    assert "failed" in line and "error 131026" in line


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_tail_restores_the_webhook_when_it_is_signalled(
    server: ServerProcess, signum: signal.Signals
) -> None:
    with Client.from_workspace(server.data_dir, retry=FAST_RETRY) as client:
        client.set_webhook("http://127.0.0.1:9/before")
        process, _ = _tail(server, "--register")
        try:
            process.wait_for_line(lambda text: "webhook points here" in text)
            process.signal(signum)
            assert process.finish() == 0
        finally:
            process.kill()
        assert client.get_webhook().url == "http://127.0.0.1:9/before"
