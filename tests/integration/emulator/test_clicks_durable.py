"""Taps outlive a kill -9 of the one-process layout: a tap the 0003 test number was going
to make after reading is made after the restart, and a message tapped before keeps its one
tracking token (emulator/durable.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.integration.emulator import support
from tests.integration.emulator.support import click, clicks, offer, send
from tests.support.receiver import Received, WebhookReceiver, statuses
from tests.support.server import ServerProcess

TAPPER = "441234560003"  # taps the CTA 3 s after reading
TAPPED = "441234567891"


def _token(found: dict[str, Any]) -> str:
    data = found["change"]["value"]["user_actions"][0]["marketing_messages_link_click_data"]
    token: str = data["tracking_token"]
    return token


def test_a_tap_due_and_a_tracking_token_survive_a_kill_9(
    tmp_path: Path, receiver: WebhookReceiver
) -> None:
    data_dir = tmp_path / "data"
    first = ServerProcess(data_dir, support.write_seed(tmp_path))
    first.set_webhook(receiver.url)
    tapped = send(first, offer(TAPPED))
    tapper = send(first, offer(TAPPER))
    first.advance(4)  # both read at ~3.5 s; the 0003 tap is due at ~6.5 s
    receiver.wait_for(
        lambda r: {s["id"] for s in statuses(r) if s["status"] == "read"} == {tapped, tapper}
    )
    tap = click(first, tapped)
    assert tap.status_code == 200 and tap.json()["webhook"] is True, tap.text
    before = receiver.wait_for(lambda r: len(clicks(r)) == 1)
    assert len(clicks(before)) == 1  # 0003 has not tapped yet
    first.kill()

    second = ServerProcess(data_dir, None)
    try:
        second.advance(10)
        second.advance(120)  # relays in flight at the kill go again after their lease
        again = click(second, tapped)
        assert again.status_code == 200 and again.json()["webhook"] is True, again.text
        first_token = _token(clicks(before)[0])

        def both(r: list[Received]) -> bool:
            tokens = [_token(c) for c in clicks(r)]
            return len(set(tokens)) == 2 and tokens.count(first_token) >= 2

        # 0003's tap has its own token; the first message's second tap has its first one
        receiver.wait_for(both)
    finally:
        second.stop()
