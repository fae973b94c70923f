"""A sandbox restart keeps the phone's chats and what its users will still do: the phone
page shows both sides of a chat after a stop and after a kill -9, and an answer a user
was going to write after reading a message is written after a kill -9 (emulator/durable.py,
emulator/durable_chats.py)."""

from __future__ import annotations

from pathlib import Path

from tests.integration.emulator.users_support import SANDBOX, user_messages, user_sends
from tests.support import seed
from tests.support.receiver import WebhookReceiver, statuses
from tests.support.server import ServerProcess

USER = "447700900614"
ANSWERS = "447700900033"  # test number: answers "Hi! Tell me more" 5 s after reading


def _phone_page(server: ServerProcess, number: str) -> str:
    page = server.http.get(f"/sandbox/phone/{number}", headers=SANDBOX)
    assert page.status_code == 200, page.text
    return page.text


def test_a_chat_survives_a_stop_and_a_kill_9(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = ServerProcess(data_dir, seed.write_seed(tmp_path))
    sent = first.send({**seed.SEED_EXAMPLE, "to": USER})
    assert sent.status_code == 200, sent.text
    first.advance(10)  # read: final at Meta, still on the phone
    wrote = user_sends(first.http, USER, text="Is it on shoes too?")
    assert wrote.status_code == 200, wrote.text
    before = _phone_page(first, USER)
    assert "Our summer sale is on." in before and "Is it on shoes too?" in before
    first.stop()

    second = ServerProcess(data_dir, None)
    try:
        page = _phone_page(second, USER)
        assert "Our summer sale is on." in page and "Is it on shoes too?" in page
        businesses = second.http.get(f"/sandbox/users/{USER}", headers=SANDBOX).json()
        assert [b["window_open"] for b in businesses["businesses"]] == [True]
    finally:
        second.kill()

    third = ServerProcess(data_dir, None)
    try:
        page = _phone_page(third, USER)
        assert "Our summer sale is on." in page and "Is it on shoes too?" in page
    finally:
        third.stop()


def test_an_answer_due_after_a_read_is_written_after_a_kill_9(
    tmp_path: Path, receiver: WebhookReceiver
) -> None:
    data_dir = tmp_path / "data"
    first = ServerProcess(data_dir, seed.write_seed(tmp_path))
    first.set_webhook(receiver.url)
    sent = first.send({**seed.SEED_EXAMPLE, "to": ANSWERS})
    wamid = sent.json()["messages"][0]["id"]
    first.advance(4)  # read at ~3.5 s; the answer is due 5 s later
    receiver.wait_for(
        lambda r: any(s["id"] == wamid and s["status"] == "read" for s in statuses(r))
    )
    assert user_messages(receiver.requests) == []
    first.kill()

    second = ServerProcess(data_dir, None)
    try:
        second.advance(10)
        # The gateway's relay of the read was in flight at the kill: it (and the answer
        # ordered behind it) goes again once its lease has run out.
        second.advance(120)
        got = receiver.wait_for(lambda r: len(user_messages(r)) >= 1)
        answer = user_messages(got)
        assert [m["text"]["body"] for m in answer] == ["Hi! Tell me more"]
        page = _phone_page(second, ANSWERS)
        assert "Our summer sale is on." in page and "Hi! Tell me more" in page
    finally:
        second.stop()


OFFLINE = "447700900615"
OPTED_OUT = "447700900616"


def test_an_offline_phone_and_a_failure_on_the_phone_survive_a_kill_9(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = ServerProcess(data_dir, seed.write_seed(tmp_path))
    went = first.http.post(f"/sandbox/phone/{OFFLINE}", data={"action": "offline"}, headers=SANDBOX)
    assert went.status_code == 303, went.text
    put = first.http.put(
        f"/sandbox/recipients/{OPTED_OUT}", json={"opted_out_of_marketing": True}, headers=SANDBOX
    )
    assert put.status_code == 200, put.text
    held = first.send({**seed.SEED_EXAMPLE, "to": OFFLINE}).json()["messages"][0]["id"]
    refused = first.send({**seed.SEED_EXAMPLE, "to": OPTED_OUT}).json()["messages"][0]["id"]
    first.advance(10)
    first.advance(1)  # what became due is settled before this second move
    assert first.message(held)["status"] == "sent"  # waits for the phone to come online
    assert "131050" in _phone_page(first, OPTED_OUT)
    first.kill()

    second = ServerProcess(data_dir, None)
    try:
        assert "131050" in _phone_page(second, OPTED_OUT)
        assert second.message(refused)["status"] == "failed"
        second.advance(60)
        second.advance(1)
        assert second.message(held)["status"] == "sent"  # still offline
        back = second.http.post(
            f"/sandbox/phone/{OFFLINE}", data={"action": "online"}, headers=SANDBOX
        )
        assert back.status_code == 303, back.text
        second.advance(10)
        second.advance(1)
        assert second.message(held)["status"] == "read"
    finally:
        second.stop()
