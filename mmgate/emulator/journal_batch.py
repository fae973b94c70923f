"""One batch of the emulator's message journal (durable.py): the writes waiting for the
next commit, folded, and how they are written inside the journal writer's transaction.
A plain value, so the batch can cross to the writer process (storage/sqlite/engine.py)."""

from __future__ import annotations

import sqlite3

from mmgate.emulator import durable_chats


class Batch:
    """Writes waiting for the next commit, folded: only a message's latest status is
    written, and a message accepted and finished within one batch is not written."""

    def __init__(self) -> None:
        self.reset = False
        self.accepted: dict[str, tuple[float, bytes]] = {}
        self.status: dict[str, str] = {}
        self.finished: set[str] = set()  # to forget
        self.tapped: dict[str, bytes] = {}  # records rewritten after a tap
        self.written_reset = False
        self.written: dict[str, bytes | None] = {}  # None: let go
        self.settings: bytes | None = None
        self.overrides_reset = False
        self.overrides: dict[str, bytes | None] = {}  # None: removed
        self.conversations_reset = False
        self.conversations: dict[tuple[str, str, str], float | None] = {}  # None: removed

    def __bool__(self) -> bool:
        return (
            self.reset
            or self.overrides_reset
            or self.conversations_reset
            or self.written_reset
            or self.settings is not None
            or bool(self.accepted)
            or bool(self.status)
            or bool(self.finished)
            or bool(self.tapped)
            or bool(self.written)
            or bool(self.overrides)
            or bool(self.conversations)
        )

    def write(self, conn: sqlite3.Connection) -> None:
        """Inside the transaction the journal's writer opened for this batch."""
        for wamid in self.finished:
            self.status.pop(wamid, None)
        finished = [(w,) for w in self.finished if self.accepted.pop(w, None) is None]
        if self.reset:
            conn.execute("DELETE FROM messages")
        conn.executemany(
            "INSERT OR REPLACE INTO messages VALUES (?, 'accepted', ?, ?)",
            [(w, expires, record) for w, (expires, record) in self.accepted.items()],
        )
        conn.executemany(
            "UPDATE messages SET status = ? WHERE meta_wamid = ?",
            [(st, w) for w, st in self.status.items()],
        )
        conn.executemany(
            "UPDATE messages SET record = ? WHERE meta_wamid = ?",
            [(r, w) for w, r in self.tapped.items()],
        )
        conn.executemany("DELETE FROM messages WHERE meta_wamid = ?", finished)
        durable_chats.write(conn, self.written_reset, self.written)
        if self.settings is not None:
            conn.execute("INSERT OR REPLACE INTO settings VALUES ('sandbox', ?)", (self.settings,))
        if self.overrides_reset:
            conn.execute("DELETE FROM overrides")
        conn.executemany(
            "INSERT OR REPLACE INTO overrides VALUES (?, ?)",
            [(n, b) for n, b in self.overrides.items() if b is not None],
        )
        conn.executemany(
            "DELETE FROM overrides WHERE number = ?",
            [(n,) for n, b in self.overrides.items() if b is None],
        )
        if self.conversations_reset:
            conn.execute("DELETE FROM conversations")
        conn.executemany(
            "INSERT OR REPLACE INTO conversations VALUES (?, ?, ?, ?)",
            [(*k, v) for k, v in self.conversations.items() if v is not None],
        )
        conn.executemany(
            "DELETE FROM conversations WHERE kind = ? AND a = ? AND b = ?",
            [k for k, v in self.conversations.items() if v is None],
        )


def write_batch(conn: sqlite3.Connection, batch: Batch) -> None:
    batch.write(conn)
