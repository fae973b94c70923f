"""The emulator's journal keeps a finished message only while a chat shows it or its user
still has a tap or an answer to make, so the file stays as bounded as the chat book
(emulator/durable.py)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from mmgate.domain.routing import Route
from mmgate.emulator.chats import ChatBook
from mmgate.emulator.durable import MessageJournal
from mmgate.emulator.messages import SimMessage
from mmgate.emulator.world import PhoneNumber, Waba, WorldStore

PHONE = PhoneNumber("300", "15550001111")


def _message(i: int, wa_id: str) -> SimMessage:
    return SimMessage(
        meta_wamid=f"wamid.{i}", waba_id="200", phone=PHONE, wa_id=wa_id,
        pricing_category="marketing", is_marketing=True, route=Route.MM_API,
        callback_data=None, graph_version=23, sent_at=float(i), expires_at=1e9,
        conversation_id="c", business_id="100",
    )  # fmt: skip


def _rows(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT meta_wamid, status FROM messages").fetchall())
    finally:
        conn.close()


def test_only_what_a_chat_shows_or_a_user_will_still_answer_is_kept(tmp_path: Path) -> None:
    worlds = WorldStore(None)
    worlds.world.wabas = [Waba("200", "WABA", "100", phone_numbers=[PHONE])]

    async def run() -> None:
        journal = MessageJournal(tmp_path / "journal.db")
        journal.open(0.0, worlds)
        book = ChatBook(max_chats=2, per_chat=2)
        book.on_forget = journal.let_go
        messages = [_message(i, f"44770090{i % 2}") for i in range(6)]
        journal.hold("wamid.0")  # its user answers after reading it
        for m in messages:
            book.add(m)
            journal.accepted(m)
        await journal.committed()
        assert len(_rows(tmp_path / "journal.db")) == 6  # all in flight
        for m in messages:
            m.status = "read"
            journal.reported(m.meta_wamid, "read")
        await journal.committed()
        assert _rows(tmp_path / "journal.db") == {
            **{f"wamid.{i}": "read" for i in (2, 3, 4, 5)},  # the chats' last two each
            "wamid.0": "read+",  # out of its chat, its answer still to come
        }
        journal.release("wamid.0")
        newest = _message(6, "447700909")
        book.add(newest)  # a third chat pushes out the least recent one (2 and 4)
        journal.accepted(newest)
        await journal.committed()
        assert _rows(tmp_path / "journal.db") == {
            "wamid.3": "read", "wamid.5": "read", "wamid.6": "accepted"
        }  # fmt: skip
        await journal.close()

    asyncio.run(run())
