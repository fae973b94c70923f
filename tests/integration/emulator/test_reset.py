"""`POST /sandbox/reset`: recipients, pending message events and counters back to a
clean state; the world and the clock stay."""

from __future__ import annotations

import pytest

from tests.integration.emulator.support import SANDBOX, stats_async
from tests.support import seed
from tests.support.inprocess import InProcessApp
from tests.support.receiver import WebhookReceiver, statuses

pytestmark = pytest.mark.anyio


async def _clock(app: InProcessApp) -> dict[str, float]:
    answer = await app.http.get("/sandbox/clock", headers=SANDBOX)
    answer.raise_for_status()
    body: dict[str, float] = answer.json()
    return body


async def test_reset_restores_recipients_events_and_counters_but_not_the_world_or_clock(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    override = {"reads": False, "delivery_delay_seconds": 9}
    await app.http.put("/sandbox/recipients/447700900123", json=override, headers=SANDBOX)
    (
        await app.http.post(
            "/sandbox/settings",
            json={"population": "realistic", "population_seed": 5},
            headers=SANDBOX,
        )
    ).raise_for_status()
    first = (await app.send({**seed.SEED_EXAMPLE, "to": "447700900123"})).json()["messages"][0][
        "id"
    ]
    await app.send({**seed.SEED_EXAMPLE, "to": "441234560001"})  # online only in 24 h
    await app.advance(60)
    await receiver.wait_for_async(
        lambda got: any(s["id"] == first and s["status"] == "delivered" for s in statuses(got))
    )
    before = await _clock(app)
    assert before["pending_events"] >= 2  # the 0001 user's delivery and read
    assert (await stats_async(app))["accepted"] == 2

    answer = await app.http.post("/sandbox/reset", headers=SANDBOX)

    assert answer.status_code == 200
    assert answer.json()["dropped_events"] == before["pending_events"]
    after = await _clock(app)
    assert after["pending_events"] == 0
    assert after["now"] == before["now"]  # the clock only moves forward: not reset
    behaviour = (await app.http.get("/sandbox/recipients/447700900123", headers=SANDBOX)).json()
    assert behaviour["behaviour"] == {}  # the happy path again
    settings = (await app.http.get("/sandbox/settings", headers=SANDBOX)).json()
    assert (settings["population"], settings["population_seed"]) == ("happy", 0)
    counters = await stats_async(app)
    assert (counters["accepted"], counters["duplicate_sends"]) == (0, 0)
    assert (counters["webhooks_delivered"], counters["clicks_reported"]) == (0, 0)
    # The world stays: the same channel, template and onboarding still send via MM API.
    again = (await app.send(seed.SEED_EXAMPLE)).json()["messages"][0]["id"]
    await app.advance(60)
    await receiver.wait_for_async(
        lambda got: any(s["id"] == again and s["status"] == "read" for s in statuses(got))
    )
    assert (await app.message(again))["route_taken"] == "mm_api"
    # The 0001 user's dropped delivery never comes.
    await app.advance(25 * 3600)
    assert (await _clock(app))["pending_events"] == 0


async def test_reset_needs_the_sandbox_key(app: InProcessApp) -> None:
    assert (await app.http.post("/sandbox/reset")).status_code == 401
    assert (
        await app.http.post("/sandbox/reset", headers={"X-Sandbox-Key": "wrong"})
    ).status_code == 401
