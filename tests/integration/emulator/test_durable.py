"""kill -9 of the default one-process layout (gateway + embedded emulator) leaves no
message stuck: the emulator's messages in flight are journaled in its own file and
resumed on start, so every accepted message still reaches its final status."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.support import seed
from tests.support.receiver import WebhookReceiver, statuses
from tests.support.server import ServerProcess

MESSAGES = 40


def _send_burst(server: ServerProcess) -> list[str]:
    def send(i: int) -> str:
        response = server.send({**seed.SEED_EXAMPLE, "to": f"4478{i:04d}5678"})
        assert response.status_code == 200, response.text
        wamid: str = response.json()["messages"][0]["id"]
        return wamid

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(send, range(MESSAGES)))


def test_a_kill_9_of_the_one_process_layout_leaves_no_message_behind(
    tmp_path: Path, receiver: WebhookReceiver
) -> None:
    data_dir = tmp_path / "data"
    first = ServerProcess(data_dir, seed.write_seed(tmp_path))
    first.set_webhook(receiver.url)
    wamids = _send_burst(first)
    first.advance(0.2)  # some statuses go out, most of each lifecycle is still pending
    first.kill()

    second = ServerProcess(data_dir, None)
    try:
        second.advance(600)
        second.advance(1)  # what became due is settled before this second move
        for wamid in wamids:
            assert second.message(wamid)["status"] == "read", wamid
        got = receiver.wait_for(
            lambda r: sum(s["status"] == "read" for s in statuses(r)) >= MESSAGES
        )
        read = [s["id"] for s in statuses(got) if s["status"] == "read"]
        assert sorted(set(read)) == sorted(wamids)
    finally:
        second.stop()
    journal = sqlite3.connect(data_dir / "emulator-messages.db")
    try:  # read messages are finished at Meta: nothing of them is left to resume (each
        # stays, final, only as its chat's entry for the phone page)
        left = journal.execute("SELECT DISTINCT status FROM messages").fetchall()
        assert left == [("read",)]
    finally:
        journal.close()


def test_a_recipient_behaviour_outlives_a_kill_9(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    path = "/sandbox/recipients/447700900777"
    headers = {"X-Sandbox-Key": seed.SANDBOX_KEY}
    first = ServerProcess(data_dir, seed.write_seed(tmp_path))
    set_ = first.http.put(
        path, json={"reads": False, "opted_out_of_marketing": True}, headers=headers
    )
    assert set_.status_code == 200
    first.kill()
    second = ServerProcess(data_dir, None)
    try:
        kept = second.http.get(path, headers=headers).json()["behaviour"]
        assert kept["reads"] is False and kept["opted_out_of_marketing"] is True
        assert second.http.delete(path, headers=headers).status_code == 200
    finally:
        second.kill()
    third = ServerProcess(data_dir, None)
    try:
        assert third.http.get(path, headers=headers).json()["behaviour"] == {}
    finally:
        third.stop()
