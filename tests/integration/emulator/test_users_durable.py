"""What users and businesses have between them outlives a kill -9 of the emulator: an open
customer service window and a stop of marketing messages (emulator/durable.py)."""

from __future__ import annotations

from pathlib import Path

from tests.integration.emulator.users_support import marketing, text_send, user_sends
from tests.support import seed
from tests.support.receiver import WebhookReceiver, statuses
from tests.support.server import ServerProcess

USER = "447700900612"


def test_a_window_and_a_marketing_stop_survive_a_kill_9(
    tmp_path: Path, receiver: WebhookReceiver
) -> None:
    data_dir = tmp_path / "data"
    first = ServerProcess(data_dir, seed.write_seed(tmp_path))
    first.set_webhook(receiver.url)
    wrote = user_sends(first.http, USER, text="Hi", phone_number_id=seed.PHONE_NUMBER_ID)
    assert wrote.status_code == 200, wrote.text
    stop = marketing(first.http, USER, "stop", phone_number_id=seed.PHONE_NUMBER_ID)
    assert stop.json()["changed"] is True
    first.kill()

    second = ServerProcess(data_dir, None)
    try:
        text = second.send(text_send(USER), path="/messages").json()["messages"][0]["id"]
        promo = second.send({**seed.SEED_EXAMPLE, "to": USER}).json()["messages"][0]["id"]
        second.advance(60)
        got = receiver.wait_for(
            lambda r: (
                any(s["id"] == text and s["status"] == "read" for s in statuses(r))
                and any(s["id"] == promo and s["status"] == "failed" for s in statuses(r))
            )
        )
        failed = next(s for s in statuses(got) if s["id"] == promo and s["status"] == "failed")
        assert failed["errors"][0]["code"] == 131050
        again = marketing(second.http, USER, "stop", phone_number_id=seed.PHONE_NUMBER_ID)
        assert again.json()["changed"] is False  # still stopped: nothing to tell
    finally:
        second.stop()
