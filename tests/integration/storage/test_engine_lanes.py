"""The writer's two lanes (mmgate/storage/sqlite/engine.py): an item written `first` (the
accept) is committed ahead of what queued before it, in a group of its own, and the other
items go in short groups, all of them, in order."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from mmgate.storage.sqlite.engine import BULK_GROUP, Engine

pytestmark = pytest.mark.anyio

GATE = threading.Event()  # holds the writer inside a group while the test queues more
INSIDE = threading.Event()  # the writer is in the held group


def _create(c: sqlite3.Connection) -> None:
    c.execute("CREATE TABLE IF NOT EXISTS log (id INTEGER PRIMARY KEY, what TEXT NOT NULL)")


def _held(c: sqlite3.Connection) -> None:
    INSIDE.set()
    GATE.wait(10)


def _log(c: sqlite3.Connection, what: str) -> int:
    row = c.execute("INSERT INTO log (what) VALUES (?) RETURNING id", (what,)).fetchone()
    return int(row[0])


async def test_an_item_written_first_overtakes_the_queue_and_the_rest_go_in_short_groups(
    tmp_path: Path,
) -> None:
    engine = Engine(tmp_path / "lanes.db", writer="thread")
    engine.start()
    try:
        await engine.write(_create)
        GATE.clear()
        INSIDE.clear()
        held = asyncio.create_task(engine.write(_held))
        assert await asyncio.to_thread(INSIDE.wait, 10)
        bulk = [asyncio.create_task(engine.write(_log, f"bulk {i}")) for i in range(40)]
        await asyncio.sleep(0)  # each task runs to its queue.put: 40 bulk items queued
        accept = asyncio.create_task(engine.write(_log, "accept", first=True))
        await asyncio.sleep(0)  # then the accept
        groups_before = engine.stats.batches
        GATE.set()
        await asyncio.gather(held, accept, *bulk)

        ids = {task: task.result() for task in [accept, *bulk]}
        assert ids[accept] < min(ids[task] for task in bulk)  # first, though queued last
        assert [ids[task] for task in bulk] == sorted(ids[task] for task in bulk)  # in order
        # The held group, the accept's own, then the 40 in groups of at most BULK_GROUP.
        groups = engine.stats.batches - groups_before
        assert groups >= 1 + 1 + -(-40 // BULK_GROUP)
    finally:
        GATE.set()
        await engine.close()
