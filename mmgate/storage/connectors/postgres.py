"""The connector on PostgreSQL: named queries through the pool and the group-commit writer.

asyncpg binds `$n` parameters, so each query runs in its numbered form.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mmgate.storage.connectors import Connector, Operation, Row
from mmgate.storage.postgres.engine import Connection, Database
from mmgate.storage.queries import POSTGRES, Query, QuerySet, load


class PostgresConnector(Connector):
    dialect = POSTGRES

    def __init__(self, db: Database, queries: QuerySet | None = None) -> None:
        self.db = db
        self._queries = queries or load()

    async def fetch_one(self, query: str, /, **params: object) -> Row | None:
        q = self._query(query)
        args = q.args(params)
        row = await self.db.read(lambda c: c.fetchrow(q.numbered, *args))
        return None if row is None else tuple(row)

    async def fetch_all(self, query: str, /, **params: object) -> list[Row]:
        q = self._query(query)
        args = q.args(params)
        rows = await self.db.read(lambda c: c.fetch(q.numbered, *args))
        return [tuple(r) for r in rows]

    async def write(self, operations: Sequence[Operation], /, *, first: bool = False) -> list[Any]:
        # Each write has a pooled connection of its own: nothing queues ahead of `first`.
        bound = [(self._query(op.query), op) for op in operations]
        argument_lists = [
            [q.args(values) for values in op.rows] if op.returns == "many" else [q.args(op.params)]
            for q, op in bound
        ]

        async def run(c: Connection) -> list[Any]:
            return [
                await _run(c, q, op, args)
                for (q, op), args in zip(bound, argument_lists, strict=True)
            ]

        return await self.db.write(run)

    def _query(self, name: str) -> Query:
        return self._queries.get(name, POSTGRES)


async def _run(c: Connection, q: Query, op: Operation, args: list[tuple[object, ...]]) -> Any:
    if op.returns == "many":
        await c.executemany(q.numbered, args)
        return None
    if op.returns == "rowcount":
        return _rowcount(await c.execute(q.numbered, *args[0]))
    rows = [tuple(r) for r in await c.fetch(q.numbered, *args[0])]
    if op.returns == "all":
        return rows
    return rows[0] if rows else None


def _rowcount(status: str) -> int:
    """asyncpg answers a command tag: `UPDATE 3`, `INSERT 0 1`, `DELETE 0`."""
    count = status.rsplit(" ", 1)[-1]
    return int(count) if count.isdigit() else 0
