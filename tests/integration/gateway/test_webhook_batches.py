"""Client webhooks that leave together: several events of one channel in one signed
notification, each still its own delivery with its own attempts, order and retries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from mmgate.signing import verify_delivery
from tests.support import seed
from tests.support.inprocess import InProcessApp, in_process_app
from tests.support.receiver import WebhookReceiver, statuses

pytestmark = pytest.mark.anyio

PARTNER = f"/api/v2/partners/{seed.PARTNER_ID}"
HEADERS = {"X-API-Key": seed.PARTNER_KEY}
BURST = 12


async def _burst(app: InProcessApp, first: int = 0) -> list[str]:
    wamids = []
    for i in range(first, first + BURST):
        response = await app.send({**seed.SEED_EXAMPLE, "to": f"44770095{i + 100:04d}"})
        assert response.status_code == 200, response.text
        wamids.append(response.json()["messages"][0]["id"])
    return wamids


def _assert_lifecycles(got: list[Any], wamids: list[str]) -> None:
    for wamid in wamids:
        lifecycle = [s["status"] for s in statuses(got) if s["id"] == wamid]
        assert lifecycle == ["sent", "delivered", "read"], (wamid, lifecycle)


async def test_a_burst_leaves_in_fewer_requests_each_signed_and_in_order(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    wamids = await _burst(app)
    await app.advance(60)  # every status of the burst is due at once: claimed together
    got = await receiver.wait_for_async(lambda r: len(statuses(r)) >= 3 * BURST)

    _assert_lifecycles(got, wamids)
    assert len(statuses(got)) == 3 * BURST  # each event once
    assert len(got) < 3 * BURST, "a claim's events for one channel leave together"
    assert any(len(statuses([request])) > 1 for request in got)
    for request in got:
        body = request.json()
        assert body["object"] == "whatsapp_business_account"
        ts = int(request.headers["x-mmgate-timestamp"])
        signature = request.headers["x-mmgate-signature-256"]
        assert verify_delivery(seed.PARTNER_SECRET, ts, request.body, signature, now=ts)
    # Each event is still a delivery of its own, with the request's attempt recorded.
    done = await app.deliveries(state="done", limit=200)
    assert len(done) == 3 * BURST
    detail = await app.http.get(f"{PARTNER}/webhook_deliveries/{done[0]['id']}", headers=HEADERS)
    assert [a["status_code"] for a in detail.json()["data"]["attempts"]] == [200]


async def test_a_failed_batch_is_retried_event_by_event_and_loses_nothing(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    receiver.answer_status = 503
    wamids = await _burst(app)
    await app.advance(60)
    await receiver.wait_for_attempts_async(1)
    # Each message's `sent` was tried, in fewer requests than events, and each kept the
    # failure as its own attempt; the later statuses wait behind it.
    tried = [d for d in await app.deliveries(state="pending", limit=200) if d["attempts"]]
    assert len(tried) == BURST
    assert len(receiver.requests) < BURST
    receiver.answer_status = 200
    for _ in range(12):  # retries come back on their own schedules, batched again
        await app.advance(600)
    got = await receiver.wait_for_async(lambda r: len(statuses(r)) >= 3 * BURST)
    _assert_lifecycles(got, wamids)
    assert await app.deliveries(state="failed") == []


@pytest.fixture
async def unbatched(tmp_path: Path) -> AsyncIterator[InProcessApp]:
    async with in_process_app(tmp_path, env={"MMGATE_WEBHOOK_BATCH_SIZE": "1"}) as running:
        yield running


async def test_batch_size_one_sends_one_event_per_request(
    unbatched: InProcessApp, receiver: WebhookReceiver
) -> None:
    await unbatched.set_webhook(receiver.url)
    wamids = await _burst(unbatched)
    await unbatched.advance(60)
    got = await receiver.wait_for_async(lambda r: len(statuses(r)) >= 3 * BURST)
    _assert_lifecycles(got, wamids)
    assert all(len(statuses([request])) == 1 for request in got)
