"""SQLite connections run off the event loop, so it never blocks on I/O.

Writes go to one writer that commits *group-wise*: it takes everything that queued up
while the previous commit ran and commits it in one transaction, each item inside its own
savepoint so one bad item never leaves a partial write and never fails its neighbours.
One fsync then covers many sends.

Two lanes: items written `first` (the accept: a client waits on it) make groups of their
own, and the two lanes take turns when both wait; the other groups take at most
`BULK_GROUP` items. An accept then waits for at most one short group ahead of its own,
never behind a group of claims and outcomes hundreds of rows long (open loop: p99 accept).

A write item is a module-level function and its arguments, `fn(conn, *args)`, never a
closure: so the writer can run in a process of its own (`writer="process"`, what
`mmgate serve` uses). SQLite's own work and the Python that builds each row then run on
another core, outside the GIL the event loop needs; the items and their results cross a
pipe, pickled (storage/sqlite/write_process.py). With `writer="thread"` (the default for
an engine built directly) the same items run in a thread of this process.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal, Protocol, TypeAlias, TypeVar

from mmgate.storage.stats import WriterStats

T = TypeVar("T")
WriterKind: TypeAlias = Literal["thread", "process"]
# One item's result: (True, value) or (False, the exception it raised).
ItemResult: TypeAlias = tuple[bool, Any]
_STOP = object()
MAX_BATCH = 512
BULK_GROUP = 16


def connect(path: Path, *, synchronous: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA busy_timeout=10000")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.row_factory = sqlite3.Row
    return conn


def commit_batch(
    conn: sqlite3.Connection, items: list[tuple[Callable[..., Any], tuple[Any, ...]]]
) -> list[ItemResult]:
    """Run the items in one transaction, each in its own savepoint; one result each.
    If the transaction itself fails (the disk, the commit), every item fails with it."""
    results: list[ItemResult] = []
    try:
        conn.execute("BEGIN IMMEDIATE")
        for fn, args in items:
            conn.execute("SAVEPOINT item")
            try:
                value = fn(conn, *args)
            except Exception as exc:
                conn.execute("ROLLBACK TO item")
                conn.execute("RELEASE item")
                results.append((False, exc))
            else:
                conn.execute("RELEASE item")
                results.append((True, value))
        conn.execute("COMMIT")
    except Exception as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        return [(False, exc)] * len(items)
    return results


def _check_item(fn: Callable[..., Any]) -> None:
    # A closure cannot cross to the writer process; refuse it in every mode, so a test
    # on the thread writer catches what would break `mmgate serve`.
    if "<" in fn.__qualname__:
        raise TypeError(f"a write item must be a module-level function, not {fn.__qualname__}")


class Engine:
    def __init__(
        self, path: Path, *, synchronous: str = "FULL", writer: WriterKind = "thread"
    ) -> None:
        self.path = path
        self._synchronous = synchronous
        self._writer_kind = writer
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mmgate-sqlite-read")
        self._read_conn: sqlite3.Connection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.stats = WriterStats()

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        # The thread owns the writer: a connection here, or the writer process's pipe.
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

    async def write(self, fn: Callable[..., T], /, *args: Any, first: bool = False) -> T:
        """`fn(conn, *args)` inside the next group commit; its result, or its exception.
        `first`: ahead of the other queued items (see the module's docstring)."""
        assert self._loop is not None, "engine not started"
        _check_item(fn)
        future: asyncio.Future[T] = self._loop.create_future()
        self._queue.put((fn, args, future, first))
        return await future

    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._reader, self._run_read, fn)

    def _run_read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._read_conn is None:
            self._read_conn = connect(self.path, synchronous=self._synchronous)
        return fn(self._read_conn)

    def _write_loop(self) -> None:
        writer = self._open_writer()
        urgent: deque[Any] = deque()
        bulk: deque[Any] = deque()
        stop = last_urgent = False
        try:
            while not stop or urgent or bulk:
                if not stop and not urgent and not bulk:
                    stop = self._take(self._queue.get(), urgent, bulk)
                while not stop:  # everything queued meanwhile, sorted into its lane
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    stop = self._take(item, urgent, bulk)
                # Lanes take turns when both wait: accepts never starve the rest.
                turn_urgent = bool(urgent) and not (last_urgent and bulk)
                lane, size = (urgent, MAX_BATCH) if turn_urgent else (bulk, BULK_GROUP)
                last_urgent = turn_urgent
                if lane:
                    self._commit(writer, [lane.popleft() for _ in range(min(size, len(lane)))])
        finally:
            writer.close()

    @staticmethod
    def _take(item: Any, urgent: deque[Any], bulk: deque[Any]) -> bool:
        """File `item` in its lane; True when it is the stop mark."""
        if item is _STOP:
            return True
        (urgent if item[3] else bulk).append(item)
        return False

    def _open_writer(self) -> _Writer:
        if self._writer_kind == "process":
            from mmgate.storage.sqlite.write_process import ProcessWriter

            return ProcessWriter(self.path, self._synchronous)
        return _ThreadWriter(connect(self.path, synchronous=self._synchronous))

    def _commit(self, writer: _Writer, batch: list[Any]) -> None:
        results, total_changes = writer.commit([(fn, args) for fn, args, _, _ in batch])
        self.stats.batches += 1
        self.stats.items += len(batch)
        self.stats.rows = total_changes
        outcomes = [
            (future, ok, value)
            for (_, _, future, _), (ok, value) in zip(batch, results, strict=True)
        ]
        assert self._loop is not None
        self._loop.call_soon_threadsafe(_settle, outcomes)


class _Writer(Protocol):
    def commit(
        self, items: list[tuple[Callable[..., Any], tuple[Any, ...]]]
    ) -> tuple[list[ItemResult], int]:
        """Commit the items as one group: one result each, and the connection's
        total_changes after it."""
        ...

    def close(self) -> None: ...


class _ThreadWriter:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def commit(
        self, items: list[tuple[Callable[..., Any], tuple[Any, ...]]]
    ) -> tuple[list[ItemResult], int]:
        return commit_batch(self._conn, items), self._conn.total_changes

    def close(self) -> None:
        self._conn.close()


def _settle(outcomes: list[tuple[asyncio.Future[Any], bool, Any]]) -> None:
    for future, ok, value in outcomes:
        if future.done():
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)
