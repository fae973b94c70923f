"""Read-only look at the server's own SQLite file, to count what was really accepted."""

from __future__ import annotations

import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Protocol


class Served(Protocol):  # a child-process server or the app in process
    @property
    def data_dir(self) -> Path: ...


def accepted_per_recipient(server: Served) -> Counter[str]:
    """Rows in `messages` per recipient: a send accepted twice shows up as 2."""
    uri = f"file:{server.data_dir / 'gateway.db'}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as db:
        rows = db.execute("SELECT recipient, count(*) FROM messages GROUP BY recipient").fetchall()
    return Counter({recipient: count for recipient, count in rows})
