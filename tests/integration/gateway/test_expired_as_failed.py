"""MMGATE_REPORT_EXPIRED_AS_FAILED: a message that reached Meta and expired there comes
to the client as `failed` with 1360002 (docs/errors.md); without it, as on Meta, nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.integration.emulator.support import offer, send_async
from tests.support.inprocess import InProcessApp, in_process_app
from tests.support.receiver import WebhookReceiver, statuses

pytestmark = pytest.mark.anyio

NEVER_ONLINE = "447700900009"
DELIVERED = "447700900002"
TTL = 43_200  # the shortest MM TTL, 12 h


@pytest.fixture
async def reporting(tmp_path: Path) -> AsyncIterator[InProcessApp]:
    env = {"MMGATE_REPORT_EXPIRED_AS_FAILED": "true"}
    async with in_process_app(tmp_path, env=env) as app:
        yield app


async def _send(app: InProcessApp, to: str) -> str:
    body = offer(to)
    body["message_send_ttl_seconds"] = TTL
    body["biz_opaque_callback_data"] = "campaign-7"
    return await send_async(app, body)


async def test_an_expiry_at_meta_is_reported_as_failed_1360002(
    reporting: InProcessApp, receiver: WebhookReceiver
) -> None:
    await reporting.set_webhook(receiver.url)
    expiring = await _send(reporting, NEVER_ONLINE)
    delivered = await _send(reporting, DELIVERED)
    await reporting.advance(60)
    await receiver.wait_for_async(lambda r: [s["status"] for s in statuses(r)].count("sent") == 2)
    await reporting.advance(TTL)
    got = await receiver.wait_for_async(lambda r: any(s["status"] == "failed" for s in statuses(r)))
    failed = [s for s in statuses(got) if s["status"] == "failed"]
    assert len(failed) == 1
    assert failed[0]["id"] == expiring
    assert failed[0]["errors"][0]["code"] == 1360002
    assert failed[0]["biz_opaque_callback_data"] == "campaign-7"
    assert (await reporting.message(expiring))["status"] == "expired"
    assert (await reporting.message(delivered))["status"] == "delivered"
    await reporting.advance(TTL)  # reported once
    assert [s["status"] for s in statuses(receiver.requests)].count("failed") == 1


async def test_without_the_setting_an_expiry_is_silent(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    expiring = await _send(app, NEVER_ONLINE)
    await app.advance(60)
    await receiver.wait_for_async(lambda r: any(s["status"] == "sent" for s in statuses(r)))
    await app.advance(4 * TTL)  # one jump far past the TTL
    await app.advance(1)  # a move first settles what was due: the expiry sweep has run
    message = await app.message(expiring)
    assert message["status"] == "expired"
    expired = [e for e in message["events"] if e["status"] == "expired"]
    assert [e["at"] for e in expired] == [message["expires_at"]]  # the TTL's end, not the jump's
    assert all(s["status"] != "failed" for s in statuses(receiver.requests))
