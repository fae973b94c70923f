"""`POST /sandbox/reset`: recipients, pending message events and counters back to a
clean state; the world and the clock stay."""

from __future__ import annotations

from tests.integration.emulator.support import SANDBOX, stats
from tests.support import seed
from tests.support.receiver import WebhookReceiver, statuses
from tests.support.server import ServerProcess


def _clock(server: ServerProcess) -> dict[str, float]:
    answer = server.http.get("/sandbox/clock", headers=SANDBOX)
    answer.raise_for_status()
    body: dict[str, float] = answer.json()
    return body


def test_reset_restores_recipients_events_and_counters_but_not_the_world_or_clock(
    server: ServerProcess, receiver: WebhookReceiver
) -> None:
    server.set_webhook(receiver.url)
    override = {"reads": False, "delivery_delay_seconds": 9}
    server.http.put("/sandbox/recipients/447700900123", json=override, headers=SANDBOX)
    server.http.post(
        "/sandbox/settings", json={"population": "realistic", "population_seed": 5}, headers=SANDBOX
    ).raise_for_status()
    first = server.send({**seed.SEED_EXAMPLE, "to": "447700900123"}).json()["messages"][0]["id"]
    server.send({**seed.SEED_EXAMPLE, "to": "441234560001"})  # online only in 24 h
    server.advance(60)
    receiver.wait_for(
        lambda got: any(s["id"] == first and s["status"] == "delivered" for s in statuses(got))
    )
    before = _clock(server)
    assert before["pending_events"] >= 2  # the 0001 user's delivery and read
    assert stats(server)["accepted"] == 2

    answer = server.http.post("/sandbox/reset", headers=SANDBOX)

    assert answer.status_code == 200
    assert answer.json()["dropped_events"] == before["pending_events"]
    after = _clock(server)
    assert after["pending_events"] == 0
    assert after["now"] == before["now"]  # the clock only moves forward: not reset
    behaviour = server.http.get("/sandbox/recipients/447700900123", headers=SANDBOX).json()
    assert behaviour["behaviour"] == {}  # the happy path again
    settings = server.http.get("/sandbox/settings", headers=SANDBOX).json()
    assert (settings["population"], settings["population_seed"]) == ("happy", 0)
    counters = stats(server)
    assert (counters["accepted"], counters["duplicate_sends"]) == (0, 0)
    assert (counters["webhooks_delivered"], counters["clicks_reported"]) == (0, 0)
    # The world stays: the same channel, template and onboarding still send via MM API.
    again = server.send(seed.SEED_EXAMPLE).json()["messages"][0]["id"]
    server.advance(60)
    receiver.wait_for(
        lambda got: any(s["id"] == again and s["status"] == "read" for s in statuses(got))
    )
    assert server.message(again)["route_taken"] == "mm_api"
    # The 0001 user's dropped delivery never comes.
    server.advance(25 * 3600)
    assert _clock(server)["pending_events"] == 0


def test_reset_needs_the_sandbox_key(server: ServerProcess) -> None:
    assert server.http.post("/sandbox/reset").status_code == 401
    assert server.http.post("/sandbox/reset", headers={"X-Sandbox-Key": "wrong"}).status_code == 401
