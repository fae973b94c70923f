"""MMGATE_REPORT_EXPIRED_AS_FAILED: a message that reached Meta and expired there comes
to the client as `failed` with 1360002 (docs/errors.md); without it, as on Meta, nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.emulator.support import offer, send
from tests.support import seed
from tests.support.receiver import WebhookReceiver, statuses
from tests.support.server import ServerProcess

NEVER_ONLINE = "447700900009"
DELIVERED = "447700900002"
TTL = 43_200  # the shortest MM TTL, 12 h


@pytest.fixture
def reporting(tmp_path: Path) -> Iterator[ServerProcess]:
    env = {"MMGATE_REPORT_EXPIRED_AS_FAILED": "true"}
    server = ServerProcess(tmp_path / "data", seed.write_seed(tmp_path), env)
    yield server
    server.stop()


def _send(server: ServerProcess, to: str) -> str:
    body = offer(to)
    body["message_send_ttl_seconds"] = TTL
    body["biz_opaque_callback_data"] = "campaign-7"
    return send(server, body)


def test_an_expiry_at_meta_is_reported_as_failed_1360002(
    reporting: ServerProcess, receiver: WebhookReceiver
) -> None:
    reporting.set_webhook(receiver.url)
    expiring = _send(reporting, NEVER_ONLINE)
    delivered = _send(reporting, DELIVERED)
    reporting.advance(60)
    receiver.wait_for(lambda r: [s["status"] for s in statuses(r)].count("sent") == 2)
    reporting.advance(TTL)
    got = receiver.wait_for(lambda r: any(s["status"] == "failed" for s in statuses(r)))
    failed = [s for s in statuses(got) if s["status"] == "failed"]
    assert len(failed) == 1
    assert failed[0]["id"] == expiring
    assert failed[0]["errors"][0]["code"] == 1360002
    assert failed[0]["biz_opaque_callback_data"] == "campaign-7"
    assert reporting.message(expiring)["status"] == "expired"
    assert reporting.message(delivered)["status"] == "delivered"
    reporting.advance(TTL)  # reported once
    assert [s["status"] for s in statuses(receiver.requests)].count("failed") == 1


def test_without_the_setting_an_expiry_is_silent(
    server: ServerProcess, receiver: WebhookReceiver
) -> None:
    server.set_webhook(receiver.url)
    expiring = _send(server, NEVER_ONLINE)
    server.advance(60)
    receiver.wait_for(lambda r: any(s["status"] == "sent" for s in statuses(r)))
    server.advance(4 * TTL)  # one jump far past the TTL
    server.advance(1)  # a move first settles what was due: the expiry sweep has run
    message = server.message(expiring)
    assert message["status"] == "expired"
    expired = [e for e in message["events"] if e["status"] == "expired"]
    assert [e["at"] for e in expired] == [message["expires_at"]]  # the TTL's end, not the jump's
    assert all(s["status"] != "failed" for s in statuses(receiver.requests))
