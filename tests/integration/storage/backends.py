"""The two storage backends under test, and what a test needs to reach past the port."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest

from mmgate.storage.port import Store
from mmgate.storage.postgres.store import PostgresStore
from mmgate.storage.sqlite.store import SqliteStore

POSTGRES_URL = os.environ.get(
    "MMGATE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
_unreachable: list[str] = []  # the first failure, so later tests skip without waiting


async def require_postgres() -> None:
    """Skip the calling test, with the reason, when no PostgreSQL server answers."""
    if not _unreachable:
        try:
            conn = await asyncpg.connect(POSTGRES_URL, timeout=3)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            _unreachable.append(f"{type(exc).__name__}: {exc}")
        else:
            await conn.close()
            return
    pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {_unreachable[0]}")


@asynccontextmanager
async def isolated_schema() -> AsyncIterator[dict[str, str]]:
    """A fresh schema for one test; yields the pool `server_settings` that select it."""
    await require_postgres()
    schema = f"mmgate_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_URL)
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        yield {"search_path": schema}
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


@asynccontextmanager
async def started(store: Store) -> AsyncIterator[Any]:
    await store.start()
    try:
        yield store
    finally:
        await store.close()


async def scalar(store: Store, sql: str) -> Any:
    """One value from SQL that both dialects read alike (no parameters)."""
    if isinstance(store, PostgresStore):
        return await store.db.read(lambda c: c.fetchval(sql))
    assert isinstance(store, SqliteStore)
    return await store.engine.read(lambda c: c.execute(sql).fetchone()[0])


async def revoke_key(store: Store, key_hash: str, now: float) -> None:
    """The port has no revocation yet; the column exists and look-ups must honour it."""
    if isinstance(store, PostgresStore):
        await store.db.write(
            lambda c: c.execute(
                "UPDATE api_keys SET revoked_at = $1 WHERE key_hash = $2", now, key_hash
            )
        )
        return
    assert isinstance(store, SqliteStore)
    await store.engine.write(_revoke, key_hash, now)


def _revoke(c: sqlite3.Connection, key_hash: str, now: float) -> None:
    c.execute("UPDATE api_keys SET revoked_at = ? WHERE key_hash = ?", (now, key_hash))
