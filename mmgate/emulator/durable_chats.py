"""What a user wrote to a business, in the emulator's journal (emulator/durable.py), so a
phone page shows both sides of its chat after a restart.

The business's side is the journal's own messages table: a message stays there, once
final, for as long as the chat book holds it. The user's side is this table, written
when the user writes and let go when the conversations book lets the message go, so
both stay as bounded on disk as they are in memory.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import msgspec

from mmgate.emulator.conversations import UserMessage
from mmgate.emulator.world import WorldStore

SCHEMA = "CREATE TABLE IF NOT EXISTS written (meta_wamid TEXT PRIMARY KEY, record BLOB NOT NULL)"


class Written(msgspec.Struct, array_like=True):
    """A UserMessage without its shared world object (the phone is found again by id)."""

    meta_wamid: str
    wa_id: str
    phone_number_id: str
    waba_id: str
    sent_at: float
    shown: str
    message: dict[str, Any]


_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(Written).decode


def encoded(message: UserMessage) -> bytes:
    m = message
    return _encode(
        Written(m.meta_wamid, m.wa_id, m.phone.id, m.waba_id, m.sent_at, m.shown, m.message)
    )


def load(conn: sqlite3.Connection, worlds: WorldStore) -> list[UserMessage]:
    """What users wrote in the last run, oldest first; a message to a number the world
    no longer has (a reset or another workspace) is dropped."""
    kept: list[UserMessage] = []
    gone: list[tuple[str]] = []
    for (record,) in conn.execute("SELECT record FROM written ORDER BY rowid"):
        w = _decode(record)
        found = worlds.number(w.phone_number_id)
        if found is None:
            gone.append((w.meta_wamid,))
            continue
        phone = found[0]
        kept.append(
            UserMessage(w.meta_wamid, w.wa_id, phone, w.waba_id, w.sent_at, w.shown, w.message)
        )
    conn.executemany("DELETE FROM written WHERE meta_wamid = ?", gone)
    return kept


def write(conn: sqlite3.Connection, reset: bool, changes: dict[str, bytes | None]) -> None:
    """Inside the journal's batch transaction: None lets a message go."""
    if reset:
        conn.execute("DELETE FROM written")
    conn.executemany(
        "INSERT OR REPLACE INTO written VALUES (?, ?)",
        [(w, r) for w, r in changes.items() if r is not None],
    )
    conn.executemany(
        "DELETE FROM written WHERE meta_wamid = ?", [(w,) for w, r in changes.items() if r is None]
    )
