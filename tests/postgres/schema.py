"""A fresh PostgreSQL schema for a server under test: skipped with a clear message when
no PostgreSQL is reachable, dropped afterwards."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import asyncpg
import pytest
from anyio import run as anyio_run

from tests.integration.storage.backends import POSTGRES_URL


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(POSTGRES_URL, timeout=3)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextlib.contextmanager
def server_database_url(prefix: str) -> Iterator[str]:
    """`MMGATE_DATABASE_URL` for a server whose tables live in their own schema."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        anyio_run(_admin, f'CREATE SCHEMA "{schema}"')
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {type(exc).__name__}: {exc}")
    try:
        # asyncpg passes unknown DSN query parameters as server settings.
        yield f"{POSTGRES_URL}?search_path={schema}"
    finally:
        anyio_run(_admin, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
