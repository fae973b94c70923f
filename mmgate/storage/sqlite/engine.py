"""SQLite connections run in threads so the event loop never blocks on I/O.

Writes go to one writer thread that commits *group-wise*: it takes everything
that queued up while the previous commit ran and commits it in one transaction,
each item inside its own savepoint so one bad item never leaves a partial write
and never fails its neighbours. One fsync then covers many sends.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from mmgate.storage.stats import WriterStats

T = TypeVar("T")
WriteFn = Callable[[sqlite3.Connection], Any]
_STOP = object()
MAX_BATCH = 512


def connect(path: Path, *, synchronous: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA busy_timeout=10000")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.row_factory = sqlite3.Row
    return conn


class Engine:
    def __init__(self, path: Path, *, synchronous: str = "FULL") -> None:
        self.path = path
        self._synchronous = synchronous
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mmgate-sqlite-read")
        self._read_conn: sqlite3.Connection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.stats = WriterStats()

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._writer = threading.Thread(
            target=self._write_loop, name="mmgate-sqlite-write", daemon=True
        )
        self._writer.start()

    async def close(self) -> None:
        if self._writer is not None:
            self._queue.put(_STOP)
            await asyncio.to_thread(self._writer.join)
            self._writer = None
        self._reader.shutdown(wait=True)
        if self._read_conn is not None:
            self._read_conn.close()

    def run_script(self, sql: str) -> None:
        """Synchronous DDL at start-up (before any thread runs)."""
        conn = connect(self.path, synchronous=self._synchronous)
        try:
            conn.executescript(sql)
        finally:
            conn.close()

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        assert self._loop is not None, "engine not started"
        future: asyncio.Future[T] = self._loop.create_future()
        self._queue.put((fn, future))
        return await future

    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._reader, self._run_read, fn)

    def _run_read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._read_conn is None:
            self._read_conn = connect(self.path, synchronous=self._synchronous)
        return fn(self._read_conn)

    def _write_loop(self) -> None:
        conn = connect(self.path, synchronous=self._synchronous)
        try:
            while True:
                first = self._queue.get()
                if first is _STOP:
                    return
                batch = [first]
                stop = False
                while len(batch) < MAX_BATCH:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is _STOP:
                        stop = True
                        break
                    batch.append(item)
                self._commit_batch(conn, batch)
                if stop:
                    return
        finally:
            conn.close()

    def _commit_batch(self, conn: sqlite3.Connection, batch: list[Any]) -> None:
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for fn, future in batch:
                conn.execute("SAVEPOINT item")
                try:
                    result = fn(conn)
                except Exception as exc:
                    conn.execute("ROLLBACK TO item")
                    conn.execute("RELEASE item")
                    outcomes.append((future, None, exc))
                else:
                    conn.execute("RELEASE item")
                    outcomes.append((future, result, None))
            conn.execute("COMMIT")
            self.stats.batches += 1
            self.stats.items += len(batch)
            self.stats.rows = conn.total_changes
        except Exception as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            outcomes = [(future, None, exc) for _, future in batch]
        assert self._loop is not None
        self._loop.call_soon_threadsafe(_settle, outcomes)


def _settle(outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for future, result, error in outcomes:
        if future.done():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)
