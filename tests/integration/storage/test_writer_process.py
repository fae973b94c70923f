"""SQLite's writer in a process of its own (mmgate/storage/sqlite/write_process.py): what
crosses the pipe comes back alike, what cannot cross fails alone, and a writer process
that dies fails only the group it held; the next write starts a new one."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from mmgate.settings import Settings
from mmgate.storage.factory import sqlite_writer_kind
from mmgate.storage.sqlite.engine import Engine
from mmgate.storage.sqlite.write_process import WriterGone

pytestmark = pytest.mark.anyio


def _create(c: sqlite3.Connection) -> None:
    c.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")


def _add(c: sqlite3.Connection, text: str) -> int:
    row = c.execute("INSERT INTO notes (text) VALUES (?) RETURNING id", (text,)).fetchone()
    return int(row[0])


def _add_slowly(c: sqlite3.Connection, text: str) -> int:
    time.sleep(3)
    return _add(c, text)


def _fail(c: sqlite3.Connection, text: str) -> None:
    c.execute("INSERT INTO notes (text) VALUES (?)", (text,))
    raise LookupError(f"refused after writing {text}")  # the savepoint rolls the row back


def _count(c: sqlite3.Connection) -> int:
    return int(c.execute("SELECT count(*) FROM notes").fetchone()[0])


def _writer_pids() -> list[int]:
    """The writer processes this test process started (children running write_process)."""
    me = os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == me and b"mmgate.storage.sqlite.write_process" in cmdline:
            found.append(int(entry.name))
    return found


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[Engine]:
    engine = Engine(tmp_path / "notes.db", writer="process")
    engine.start()
    try:
        await engine.write(_create)
        yield engine
    finally:
        await engine.close()


async def test_results_and_errors_cross_the_pipe(engine: Engine) -> None:
    assert await engine.write(_add, "one") == 1
    with pytest.raises(LookupError, match="refused after writing two"):
        await engine.write(_fail, "two")
    assert await engine.write(_add, "three") == 2  # the failed item left no row
    assert await engine.read(_count) == 2


async def test_an_item_that_cannot_be_pickled_fails_alone(engine: Engine) -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        await engine.write(_add, threading.Lock())  # type: ignore[arg-type]
    assert await engine.write(_add, "after") == 1


async def test_a_closure_is_refused_before_it_reaches_the_writer(engine: Engine) -> None:
    with pytest.raises(TypeError, match="module-level function"):
        await engine.write(lambda c: _count(c))


async def test_a_writer_killed_mid_group_fails_that_group_and_another_takes_over(
    engine: Engine,
) -> None:
    await engine.write(_add, "kept")
    rows_before = engine.stats.rows
    (pid,) = _writer_pids()
    slow = asyncio.create_task(engine.write(_add_slowly, "lost with the writer"))
    await asyncio.sleep(0.5)  # the writer is inside the item, in its transaction
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(WriterGone):
        await slow  # its outcome is unknown to the caller: an error, never a success
    assert await engine.write(_add, "after") == 2  # the killed group never committed
    assert [p for p in _writer_pids() if p != pid] != []
    assert engine.stats.rows == rows_before + 1  # a counter: the new child adds to it
    assert await engine.read(_count) == 2


async def test_a_writer_gone_while_idle_is_replaced_before_the_next_group(
    engine: Engine,
) -> None:
    await engine.write(_add, "kept")
    (pid,) = _writer_pids()
    os.kill(pid, signal.SIGKILL)
    await asyncio.sleep(0.2)
    assert await engine.write(_add, "after") == 2
    assert await engine.read(_count) == 2


async def test_the_writer_process_ends_with_the_engine(tmp_path: Path) -> None:
    engine = Engine(tmp_path / "notes.db", writer="process")
    engine.start()
    await engine.write(_create)
    assert len(_writer_pids()) == 1
    await engine.close()
    assert _writer_pids() == []


def test_auto_is_a_process_only_with_a_second_core() -> None:
    cores = len(os.sched_getaffinity(0))
    assert sqlite_writer_kind("auto") == ("process" if cores > 1 else "thread")
    assert sqlite_writer_kind("thread") == "thread"
    assert sqlite_writer_kind("process") == "process"
    with pytest.raises(ValueError, match="auto, thread or process"):
        Settings(sqlite_writer="threads")
