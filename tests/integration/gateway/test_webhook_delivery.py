"""Webhook delivery that loses nothing: outages, order, attempts, replay, signing, chaos."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from mmgate.signing import verify_delivery
from mmgate.storage.port import HELD_BEHIND_FAILED
from tests.support import seed
from tests.support.inprocess import InProcessApp, in_process_app
from tests.support.receiver import WebhookReceiver, statuses

pytestmark = pytest.mark.anyio

PARTNER = f"/api/v2/partners/{seed.PARTNER_ID}"
HEADERS = {"X-API-Key": seed.PARTNER_KEY}
DAY = 86_400


async def _send(app: InProcessApp, to: str) -> str:
    response = await app.send({**seed.SEED_EXAMPLE, "to": to})
    assert response.status_code == 200, response.text
    wamid: str = response.json()["messages"][0]["id"]
    return wamid


async def test_three_day_outage_loses_nothing_and_keeps_order(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    receiver.answer_status = 503
    wamids = [await _send(app, f"44770090{i:04d}") for i in range(11, 14)]
    for _ in range(3 * 24):  # three simulated days, an hour at a time: every retry fails
        await app.advance(3600)
    assert receiver.requests, "the gateway kept retrying during the outage"
    assert receiver.succeeded() == []
    receiver.answer_status = 200
    await app.advance(2 * 3600)  # past the longest back-off step

    got = await receiver.wait_for_async(lambda r: len(statuses(r)) >= 9)
    for wamid in wamids:
        lifecycle = [s["status"] for s in statuses(got) if s["id"] == wamid]
        assert lifecycle == ["sent", "delivered", "read"]
    failing = await app.deliveries(state="failed")
    assert failing == []


async def test_every_attempt_is_recorded_and_410_stops_until_replayed(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    receiver.answer_status = 410
    await _send(app, "447700900021")
    await app.advance(1)
    await receiver.wait_for_attempts_async(1)
    await app.advance(DAY)  # a 410 is never retried

    # `sent` failed on the 410; `delivered` and `read` fail behind it, never attempted
    # (order holds), so nothing is left pending for good.
    for _ in range(20):  # each advance settles what is in flight (a loaded machine)
        failed = sorted(await app.deliveries(state="failed"), key=lambda d: d["id"])
        if len(failed) >= 3:
            break
        await app.advance(1)
    assert [d["target"] for d in failed] == ["channel"] * 3
    assert [d["last_error"] for d in failed[1:]] == [HELD_BEHIND_FAILED] * 2
    assert await app.deliveries(state="pending") == []
    detail = await app.http.get(f"{PARTNER}/webhook_deliveries/{failed[0]['id']}", headers=HEADERS)
    attempts = detail.json()["data"]["attempts"]
    assert [a["status_code"] for a in attempts] == [410]
    assert attempts[0]["url"] == receiver.url and attempts[0]["duration_ms"] >= 0

    receiver.answer_status = 200
    replay = await app.http.post(
        f"{PARTNER}/webhook_deliveries/replay", json={"since": 0}, headers=HEADERS
    )
    assert replay.json()["data"] == {"replayed": 3}
    await app.advance(61)  # the held statuses follow once the endpoint is resumed
    got = await receiver.wait_for_async(lambda r: any(s["status"] == "read" for s in statuses(r)))
    assert [s["status"] for s in statuses(got)] == ["sent", "delivered", "read"]
    assert await app.deliveries(state="failed") == []
    again = await app.http.post(
        f"{PARTNER}/webhook_deliveries/replay", json={"since": 0}, headers=HEADERS
    )
    assert again.json()["data"] == {"replayed": 0}  # a replayed failure is not replayed twice


async def test_other_partners_cannot_see_or_replay_deliveries(app: InProcessApp) -> None:
    other = await app.http.get("/api/v2/partners/pt_other/webhook_deliveries", headers=HEADERS)
    assert other.status_code == 403
    missing = await app.http.post(f"{PARTNER}/webhook_deliveries/999999/replay", headers=HEADERS)
    assert missing.status_code == 404


async def test_failing_endpoint_is_backed_off(app: InProcessApp, receiver: WebhookReceiver) -> None:
    await app.set_webhook(receiver.url)
    receiver.answer_status = 500
    # Five failed requests (health counts requests: a batch of five events is one), so
    # each send is relayed before the next is made.
    for i in range(5):
        await _send(app, f"44770090{31 + i:04d}")
        await app.advance(1)
        await receiver.wait_for_attempts_async(i + 1)
    health = (await app.http.get(PARTNER + "/webhook_endpoints", headers=HEADERS)).json()["data"]
    (endpoint,) = [e for e in health["endpoints"] if e["url"] == receiver.url]
    assert endpoint["state"] == "backing_off"
    attempts_before = len(receiver.requests)
    await app.advance(10)  # inside the back-off window: the endpoint is not hammered
    assert len(receiver.requests) == attempts_before


async def test_signature_rotation_signs_with_both_secrets_during_the_overlap(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    rotated = await app.http.post(
        PARTNER + "/webhook_secret/rotate", json={"overlap_seconds": 3600}, headers=HEADERS
    )
    new_secret = rotated.json()["data"]["webhook_secret"]
    await _send(app, "447700900041")
    await app.advance(1)
    (first, *_) = await receiver.wait_for_async(lambda r: len(r) >= 1)
    ts = int(first.headers["x-mmgate-timestamp"])
    signature = first.headers["x-mmgate-signature-256"]
    assert signature.count("sha256=") == 2
    for secret in (new_secret, seed.PARTNER_SECRET):
        assert verify_delivery(secret, ts, first.body, signature, now=ts)
    assert not verify_delivery("another-secret", ts, first.body, signature, now=ts)


@pytest.mark.parametrize("duplicates", [1.0])
async def test_chaos_mode_delivers_duplicates_on_purpose(
    app: InProcessApp, receiver: WebhookReceiver, duplicates: float
) -> None:
    response = await app.http.post(
        "/v1/configs/webhook",
        json={"url": receiver.url, "chaos": {"duplicates": duplicates, "out_of_order": True}},
        headers={"D360-API-KEY": seed.CHANNEL_KEY},
    )
    assert response.json()["chaos"] == {"duplicates": 1.0, "out_of_order": True}
    wamid = await _send(app, "447700900051")
    await app.advance(60)
    await app.advance(5)  # out-of-order relays are jittered up to 3 s on the clock
    got = await receiver.wait_for_async(lambda r: len(statuses(r)) >= 6)
    mine = [s["status"] for s in statuses(got) if s["id"] == wamid]
    assert sorted(mine) == ["delivered", "delivered", "read", "read", "sent", "sent"]


@pytest.mark.parametrize("url", [None, "http://127.0.0.1:9/hook"])
@pytest.mark.parametrize("duplicates", [-0.1, 2])
async def test_chaos_duplicates_must_be_a_probability(
    app: InProcessApp, url: str | None, duplicates: float
) -> None:
    # Found by the fuzzer: with `url: null` the range check used to be skipped.
    response = await app.http.post(
        "/v1/configs/webhook",
        json={"url": url, "chaos": {"duplicates": duplicates}},
        headers={"D360-API-KEY": seed.CHANNEL_KEY},
    )
    assert response.status_code == 400
    assert response.json()["detail"]["error"]["code"] == 100
    current = await app.http.get("/v1/configs/webhook", headers={"D360-API-KEY": seed.CHANNEL_KEY})
    assert "chaos" not in current.json()


@pytest.fixture
async def impatient_app(tmp_path: Path) -> AsyncIterator[InProcessApp]:
    env = {"MMGATE_WEBHOOK_TIMEOUT_SECONDS": "0.5"}
    async with in_process_app(tmp_path, env=env) as app:
        yield app


async def test_hanging_receiver_times_out_and_is_retried(
    impatient_app: InProcessApp, receiver: WebhookReceiver
) -> None:
    app = impatient_app
    await app.set_webhook(receiver.url)
    receiver.hang.set()
    await _send(app, "447700900061")
    await app.advance(1)
    await receiver.wait_for_arrivals_async(1)
    await app.advance(0)  # settles: the attempt has timed out and is recorded
    (delivery,) = await app.deliveries(state="pending")
    detail = await app.http.get(f"{PARTNER}/webhook_deliveries/{delivery['id']}", headers=HEADERS)
    (attempt,) = detail.json()["data"]["attempts"]
    assert attempt["status_code"] is None and "Timeout" in attempt["error"]

    receiver.hang.clear()
    receiver.release.set()
    await app.advance(3600)
    got = await receiver.wait_for_async(lambda r: any(s["status"] == "read" for s in statuses(r)))
    assert [s["status"] for s in statuses(got)][-3:] == ["sent", "delivered", "read"]
