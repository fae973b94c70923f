"""Webhook delivery that loses nothing: outages, order, attempts, replay, signing, chaos."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mmgate.signing import verify_delivery
from mmgate.storage.port import HELD_BEHIND_FAILED
from tests.support import seed
from tests.support.receiver import WebhookReceiver, statuses
from tests.support.server import ServerProcess

PARTNER = f"/api/v2/partners/{seed.PARTNER_ID}"
HEADERS = {"X-API-Key": seed.PARTNER_KEY}
DAY = 86_400


def _send(server: ServerProcess, to: str) -> str:
    response = server.send({**seed.SEED_EXAMPLE, "to": to})
    assert response.status_code == 200, response.text
    wamid: str = response.json()["messages"][0]["id"]
    return wamid


def _deliveries(server: ServerProcess, **params: Any) -> list[dict[str, Any]]:
    response = server.http.get(PARTNER + "/webhook_deliveries", params=params, headers=HEADERS)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["data"]["deliveries"]
    return found


def test_three_day_outage_loses_nothing_and_keeps_order(
    server: ServerProcess, receiver: WebhookReceiver
) -> None:
    server.set_webhook(receiver.url)
    receiver.answer_status = 503
    wamids = [_send(server, f"44770090{i:04d}") for i in range(11, 14)]
    for _ in range(3 * 24):  # three simulated days, an hour at a time: every retry fails
        server.advance(3600)
    assert receiver.requests, "the gateway kept retrying during the outage"
    assert receiver.succeeded() == []
    receiver.answer_status = 200
    server.advance(2 * 3600)  # past the longest back-off step

    got = receiver.wait_for(lambda r: len(statuses(r)) >= 9)
    for wamid in wamids:
        lifecycle = [s["status"] for s in statuses(got) if s["id"] == wamid]
        assert lifecycle == ["sent", "delivered", "read"]
    failing = _deliveries(server, state="failed")
    assert failing == []


def test_every_attempt_is_recorded_and_410_stops_until_replayed(
    server: ServerProcess, receiver: WebhookReceiver
) -> None:
    server.set_webhook(receiver.url)
    receiver.answer_status = 410
    _send(server, "447700900021")
    server.advance(1)
    receiver.wait_for_attempts(1)
    server.advance(DAY)  # a 410 is never retried

    # `sent` failed on the 410; `delivered` and `read` fail behind it, never attempted
    # (order holds), so nothing is left pending for good.
    for _ in range(20):  # each advance settles what is in flight (a loaded machine)
        failed = sorted(_deliveries(server, state="failed"), key=lambda d: d["id"])
        if len(failed) >= 3:
            break
        server.advance(1)
    assert [d["target"] for d in failed] == ["channel"] * 3
    assert [d["last_error"] for d in failed[1:]] == [HELD_BEHIND_FAILED] * 2
    assert _deliveries(server, state="pending") == []
    detail = server.http.get(f"{PARTNER}/webhook_deliveries/{failed[0]['id']}", headers=HEADERS)
    attempts = detail.json()["data"]["attempts"]
    assert [a["status_code"] for a in attempts] == [410]
    assert attempts[0]["url"] == receiver.url and attempts[0]["duration_ms"] >= 0

    receiver.answer_status = 200
    replay = server.http.post(
        f"{PARTNER}/webhook_deliveries/replay", json={"since": 0}, headers=HEADERS
    )
    assert replay.json()["data"] == {"replayed": 3}
    server.advance(61)  # the held statuses follow once the endpoint is resumed
    got = receiver.wait_for(lambda r: any(s["status"] == "read" for s in statuses(r)))
    assert [s["status"] for s in statuses(got)] == ["sent", "delivered", "read"]
    assert _deliveries(server, state="failed") == []
    again = server.http.post(
        f"{PARTNER}/webhook_deliveries/replay", json={"since": 0}, headers=HEADERS
    )
    assert again.json()["data"] == {"replayed": 0}  # a replayed failure is not replayed twice


def test_other_partners_cannot_see_or_replay_deliveries(server: ServerProcess) -> None:
    other = server.http.get("/api/v2/partners/pt_other/webhook_deliveries", headers=HEADERS)
    assert other.status_code == 403
    missing = server.http.post(f"{PARTNER}/webhook_deliveries/999999/replay", headers=HEADERS)
    assert missing.status_code == 404


def test_failing_endpoint_is_backed_off(server: ServerProcess, receiver: WebhookReceiver) -> None:
    server.set_webhook(receiver.url)
    receiver.answer_status = 500
    for i in range(5):
        _send(server, f"44770090{31 + i:04d}")
    server.advance(1)
    receiver.wait_for_attempts(5)
    health = server.http.get(PARTNER + "/webhook_endpoints", headers=HEADERS).json()["data"]
    (endpoint,) = [e for e in health["endpoints"] if e["url"] == receiver.url]
    assert endpoint["state"] == "backing_off"
    attempts_before = len(receiver.requests)
    server.advance(10)  # inside the back-off window: the endpoint is not hammered
    assert len(receiver.requests) == attempts_before


def test_signature_rotation_signs_with_both_secrets_during_the_overlap(
    server: ServerProcess, receiver: WebhookReceiver
) -> None:
    server.set_webhook(receiver.url)
    rotated = server.http.post(
        PARTNER + "/webhook_secret/rotate", json={"overlap_seconds": 3600}, headers=HEADERS
    )
    new_secret = rotated.json()["data"]["webhook_secret"]
    _send(server, "447700900041")
    server.advance(1)
    (first, *_) = receiver.wait_for(lambda r: len(r) >= 1)
    ts = int(first.headers["x-mmgate-timestamp"])
    signature = first.headers["x-mmgate-signature-256"]
    assert signature.count("sha256=") == 2
    for secret in (new_secret, seed.PARTNER_SECRET):
        assert verify_delivery(secret, ts, first.body, signature, now=ts)
    assert not verify_delivery("another-secret", ts, first.body, signature, now=ts)


@pytest.mark.parametrize("duplicates", [1.0])
def test_chaos_mode_delivers_duplicates_on_purpose(
    server: ServerProcess, receiver: WebhookReceiver, duplicates: float
) -> None:
    response = server.http.post(
        "/v1/configs/webhook",
        json={"url": receiver.url, "chaos": {"duplicates": duplicates, "out_of_order": True}},
        headers={"D360-API-KEY": seed.CHANNEL_KEY},
    )
    assert response.json()["chaos"] == {"duplicates": 1.0, "out_of_order": True}
    wamid = _send(server, "447700900051")
    server.advance(60)
    server.advance(5)  # out-of-order relays are jittered up to 3 s on the clock
    got = receiver.wait_for(lambda r: len(statuses(r)) >= 6)
    mine = [s["status"] for s in statuses(got) if s["id"] == wamid]
    assert sorted(mine) == ["delivered", "delivered", "read", "read", "sent", "sent"]


@pytest.mark.parametrize("url", [None, "http://127.0.0.1:9/hook"])
@pytest.mark.parametrize("duplicates", [-0.1, 2])
def test_chaos_duplicates_must_be_a_probability(
    server: ServerProcess, url: str | None, duplicates: float
) -> None:
    # Found by the fuzzer: with `url: null` the range check used to be skipped.
    response = server.http.post(
        "/v1/configs/webhook",
        json={"url": url, "chaos": {"duplicates": duplicates}},
        headers={"D360-API-KEY": seed.CHANNEL_KEY},
    )
    assert response.status_code == 400
    assert response.json()["detail"]["error"]["code"] == 100
    current = server.http.get("/v1/configs/webhook", headers={"D360-API-KEY": seed.CHANNEL_KEY})
    assert "chaos" not in current.json()


@pytest.fixture
def impatient_server(tmp_path: Path) -> Iterator[ServerProcess]:
    s = ServerProcess(
        tmp_path / "data", seed.write_seed(tmp_path), {"MMGATE_WEBHOOK_TIMEOUT_SECONDS": "0.5"}
    )
    yield s
    s.stop()


def test_hanging_receiver_times_out_and_is_retried(
    impatient_server: ServerProcess, receiver: WebhookReceiver
) -> None:
    server = impatient_server
    server.set_webhook(receiver.url)
    receiver.hang.set()
    _send(server, "447700900061")
    server.advance(1)
    receiver.wait_for_arrivals(1)
    server.advance(0)  # settles: the attempt has timed out and is recorded
    (delivery,) = _deliveries(server, state="pending")
    detail = server.http.get(f"{PARTNER}/webhook_deliveries/{delivery['id']}", headers=HEADERS)
    (attempt,) = detail.json()["data"]["attempts"]
    assert attempt["status_code"] is None and "Timeout" in attempt["error"]

    receiver.hang.clear()
    receiver.release.set()
    server.advance(3600)
    got = receiver.wait_for(lambda r: any(s["status"] == "read" for s in statuses(r)))
    assert [s["status"] for s in statuses(got)][-3:] == ["sent", "delivered", "read"]
