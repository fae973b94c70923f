"""PostgreSQL connections: a pool for reads, one writer task with group commit."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg

from mmgate.storage.postgres.group_commit import (
    Connection,
    GroupCommitter,
    WriteItem,
)
from mmgate.storage.postgres.migrate import apply_migrations
from mmgate.storage.stats import WriterStats

__all__ = ["Connection", "Database"]

T = TypeVar("T")
A = TypeVar("A")


class Database:
    def __init__(
        self,
        url: str,
        *,
        min_size: int = 2,
        max_size: int = 10,
        server_settings: dict[str, str] | None = None,
    ) -> None:
        self.url = url
        self._min_size = min_size
        self._max_size = max_size
        self._server_settings = server_settings
        self._pool: asyncpg.Pool[asyncpg.Record] | None = None
        self._writer: GroupCommitter | None = None

    @property
    def pool(self) -> asyncpg.Pool[asyncpg.Record]:
        assert self._pool is not None, "database not started"
        return self._pool

    @property
    def writer_stats(self) -> WriterStats:
        assert self._writer is not None, "database not started"
        return self._writer.stats

    async def start(self) -> None:
        self._pool = await asyncpg.create_pool(
            self.url,
            min_size=self._min_size,
            max_size=self._max_size,
            server_settings=self._server_settings,
        )
        try:
            async with self._pool.acquire() as conn:
                await apply_migrations(conn)
        except BaseException:
            await self.close()  # no pool left behind by a failed start
            raise
        self._writer = GroupCommitter(self._pool)
        self._writer.start()

    async def close(self) -> None:
        if self._writer is not None:
            await self._writer.stop()  # what is queued is still committed, as on SQLite
            self._writer = None
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def write(self, fn: Callable[[Connection], Awaitable[T]]) -> T:
        """Run `fn` in the writer's next group commit."""
        future: asyncio.Future[T] = self._future()
        self._submit(WriteItem(fn, future))
        return await future

    async def write_in_bulk(
        self, bulk: Callable[[Connection, list[A]], Awaitable[list[T]]], arg: A
    ) -> T:
        """Like `write`, but consecutive items of one `bulk` kind share one statement.

        `bulk` gets the args of a run and returns one result per arg, in order; it
        must be one function object (not a fresh closure) for items to share it.
        """

        async def alone(conn: Connection) -> T:
            return (await bulk(conn, [arg]))[0]

        future: asyncio.Future[T] = self._future()
        self._submit(WriteItem(alone, future, bulk, arg))
        return await future

    async def read(self, fn: Callable[[Connection], Awaitable[T]]) -> T:
        async with self.pool.acquire() as conn:
            return await fn(conn)

    def _future(self) -> asyncio.Future[Any]:
        return asyncio.get_running_loop().create_future()

    def _submit(self, item: WriteItem) -> None:
        assert self._writer is not None, "database not started"
        self._writer.submit(item)
