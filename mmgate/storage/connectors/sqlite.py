"""The connector on SQLite: named queries through the engine's reader and writer threads.

sqlite3 binds `:name` parameters itself, so the query text is used as written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from mmgate.storage.connectors import Connector, Operation, Params, Row
from mmgate.storage.queries import SQLITE, Query, QuerySet, load
from mmgate.storage.sqlite.engine import Engine


class SqliteConnector(Connector):
    dialect = SQLITE

    def __init__(self, engine: Engine, queries: QuerySet | None = None) -> None:
        self.engine = engine
        self._queries = queries or load()

    async def fetch_one(self, query: str, /, **params: object) -> Row | None:
        q = self._bound(query, params)
        row = await self.engine.read(lambda c: c.execute(q.sql, params).fetchone())
        return None if row is None else tuple(row)

    async def fetch_all(self, query: str, /, **params: object) -> list[Row]:
        q = self._bound(query, params)
        rows = await self.engine.read(lambda c: c.execute(q.sql, params).fetchall())
        return [tuple(r) for r in rows]

    async def write(self, operations: Sequence[Operation], /, *, first: bool = False) -> list[Any]:
        bound = [(self._bound(op.query, op.params, op.rows), op) for op in operations]
        return await self.engine.write(_run_all, bound, first=first)

    def _bound(self, name: str, params: Params, rows: Sequence[Params] = ()) -> Query:
        """The query, once its parameters are checked (a wrong name fails here, not in
        the writer thread, where it would fail the whole batch's attempt)."""
        q = self._queries.get(name, SQLITE)
        for values in rows or [params]:
            q.args(values)
        return q


def _run_all(c: sqlite3.Connection, bound: list[tuple[Query, Operation]]) -> list[Any]:
    return [_run(c, q, op) for q, op in bound]


def _run(c: sqlite3.Connection, q: Query, op: Operation) -> Any:
    if op.returns == "many":
        c.executemany(q.sql, op.rows)
        return None
    cursor = c.execute(q.sql, op.params)
    if op.returns == "rowcount":
        if cursor.rowcount < 0:  # sqlite3 counts no rows for a statement led by WITH
            return c.execute("SELECT changes()").fetchone()[0]
        return cursor.rowcount
    rows = [tuple(r) for r in cursor.fetchall()]  # all: a RETURNING statement runs whole
    if op.returns == "all":
        return rows
    return rows[0] if rows else None
