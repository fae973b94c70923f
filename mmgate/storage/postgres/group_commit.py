"""One writer task that commits group-wise, as the SQLite engine does.

It takes everything that queued while the previous commit ran and commits it in
one transaction: one WAL flush for many writes (stack-ceilings.md: ~7.5k
accepts/s against ~1.7k with a commit per request).

Unlike SQLite, every statement here is a network round trip (~0.1 ms on these
machines), and a savepoint is one more. So a batch is first written *together*:
no savepoints, and a run of consecutive items of one bulk kind (accepts) in one
statement. Should any item fail, that attempt is rolled back as a whole and the
batch is written again *one by one*, each item in its own savepoint, so the
failing item leaves no partial write and fails none of its neighbours.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import asyncpg

from mmgate.storage.stats import WriterStats

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

log = logging.getLogger(__name__)

# Generic only in asyncpg-stubs, hence the string.
Connection: TypeAlias = "PoolConnectionProxy[asyncpg.Record]"
WriteFn: TypeAlias = Callable[[Connection], Awaitable[Any]]
BulkFn: TypeAlias = Callable[[Connection, list[Any]], Awaitable[list[Any]]]

# Past 64 subtransactions that wrote, PostgreSQL's per-backend cache overflows and
# every snapshot taken meanwhile gets slower; 64 also bounds the cost of writing a
# batch again one by one. Batches average ~30 items under load.
MAX_BATCH = 64
# A deadlock between two processes' transactions aborts one item; it is retried in
# the next batch (by then the other transaction has committed) rather than failed.
MAX_DEADLOCK_RETRIES = 3
# A batch whose connection is lost before COMMIT is written again, on a new connection.
WRITE_ATTEMPTS = 3


@dataclass(slots=True)
class WriteItem:
    fn: WriteFn  # writes this item alone
    future: asyncio.Future[Any]
    bulk: BulkFn | None = None  # writes a run of items of its kind in one statement
    arg: Any = None  # this item's element of that run
    tries: int = 0


Outcome: TypeAlias = tuple[WriteItem, Any, BaseException | None]
_STOP = object()


class GroupCommitter:
    def __init__(self, pool: asyncpg.Pool[asyncpg.Record]) -> None:
        self._pool = pool
        self._queue: asyncio.Queue[WriteItem | object] = asyncio.Queue()
        self._conn: Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self.stats = WriterStats()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="mmgate-postgres-write")

    async def stop(self) -> None:
        """Commit what is queued, then stop."""
        if self._task is not None:
            self._queue.put_nowait(_STOP)
            await self._task
            self._task = None
        if self._conn is not None:
            await self._pool.release(self._conn)
            self._conn = None

    def submit(self, item: WriteItem) -> None:
        assert self._task is not None, "writer not started"
        self._queue.put_nowait(item)

    async def _run(self) -> None:
        stopping = False
        while not (stopping and self._queue.empty()):
            first = await self._queue.get()
            batch: list[WriteItem] = []
            for item in self._drain(first):
                if isinstance(item, WriteItem):
                    batch.append(item)
                else:
                    # Keep going until the queue is empty: deadlock retries queued
                    # after the stop still deserve their commit.
                    stopping = True
            if batch:
                await self._commit(batch)

    def _drain(self, first: WriteItem | object) -> list[WriteItem | object]:
        items = [first]
        while len(items) < MAX_BATCH and not self._queue.empty():
            items.append(self._queue.get_nowait())
        return items

    async def _commit(self, batch: list[WriteItem]) -> None:
        self.stats.batches += 1
        self.stats.items += len(batch)
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            committing = False
            try:
                conn = await self._connection()
                outcomes = await self._write(conn, batch)
                committing = True
                await conn.execute("COMMIT")
                break
            except Exception as exc:
                await self._discard_connection()
                if not committing and attempt < WRITE_ATTEMPTS:
                    # Lost before COMMIT (a server restart, say): nothing of the batch
                    # holds, so it is written again on a fresh connection.
                    continue
                # After COMMIT was sent the outcome is unknown: report the failure.
                outcomes = [(item, None, exc) for item in batch]
        for outcome in outcomes:
            self._settle(*outcome)

    async def _write(self, conn: Connection, batch: list[WriteItem]) -> list[Outcome]:
        """Write the batch in an open transaction, leaving COMMIT to the caller."""
        try:
            return await self._write_together(conn, batch)
        except Exception:
            await conn.execute("ROLLBACK")
            self.stats.one_by_one += 1
            return await self._write_one_by_one(conn, batch)

    async def _write_together(self, conn: Connection, batch: list[WriteItem]) -> list[Outcome]:
        await conn.execute("BEGIN")
        outcomes: list[Outcome] = []
        for run in _runs(batch):
            bulk = run[0].bulk
            if bulk is None:
                results = [await run[0].fn(conn)]
            else:
                results = await bulk(conn, [item.arg for item in run])
            outcomes += [(item, result, None) for item, result in zip(run, results, strict=True)]
        return outcomes

    async def _write_one_by_one(self, conn: Connection, batch: list[WriteItem]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        await conn.execute("BEGIN; SAVEPOINT item")
        for item in batch:
            try:
                result = await item.fn(conn)
            except Exception as exc:
                await conn.execute("ROLLBACK TO SAVEPOINT item")
                outcomes.append((item, None, exc))
            else:
                # One round trip ends this item and opens the next one's savepoint.
                await conn.execute("RELEASE SAVEPOINT item; SAVEPOINT item")
                outcomes.append((item, result, None))
        return outcomes

    def _settle(self, item: WriteItem, result: Any, error: BaseException | None) -> None:
        if item.future.done():
            return
        if isinstance(error, asyncpg.DeadlockDetectedError) and item.tries < MAX_DEADLOCK_RETRIES:
            item.tries += 1
            self._queue.put_nowait(item)
        elif error is not None:
            item.future.set_exception(error)
        else:
            item.future.set_result(result)

    async def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = await self._pool.acquire()
        return self._conn

    async def _discard_connection(self) -> None:
        """After a failed batch: roll back if the connection still answers, else drop it."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            await conn.execute("ROLLBACK")
        except Exception:
            # Lost: asyncpg may already have detached it from the pool. Its siblings in
            # the pool are likely gone too (a server restart), so replace them all.
            log.warning("PostgreSQL writer connection lost; reconnecting")
            with contextlib.suppress(Exception):
                conn.terminate()
            await self._pool.expire_connections()
        with contextlib.suppress(Exception):
            await self._pool.release(conn)


def _runs(batch: list[WriteItem]) -> list[list[WriteItem]]:
    """Consecutive items of one bulk kind form a run; any other item is a run alone."""
    runs: list[list[WriteItem]] = []
    for item in batch:
        if runs and item.bulk is not None and runs[-1][0].bulk == item.bulk:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs
