"""Ordered SQL migrations, one folder per backend, each applied once.

`migrations/<backend>/NNNN_name.sql` run in file-name order, every one in its own
transaction together with its row in `schema_migrations`. Both backends have the same
numbers (tests/integration/storage/test_schema.py holds their schemas equal). Several processes
may start at once against one database: on PostgreSQL an advisory lock makes the
second wait for the first; on SQLite a migration's row is written first in its
transaction, so the second process finds it taken and moves on.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmgate.storage.queries import POSTGRES, SQLITE
from mmgate.storage.sqlite.engine import connect

if TYPE_CHECKING:
    import asyncpg

    from mmgate.storage.postgres.group_commit import Connection

_VERSION = re.compile(r"^\d{4}_\w+$")
_CREATE_TABLE = "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY)"
# Any fixed 64-bit number, the same in every mmgate process: "mmgate migrations".
POSTGRES_LOCK = 0x6D6D_6761_7465_0001


def migration_files(backend: str) -> list[tuple[str, str]]:
    """(version, SQL) of every migration of the backend, in order."""
    folder = resources.files("mmgate.storage").joinpath("migrations", backend)
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    found = [(f.name.removesuffix(".sql"), f.read_text()) for f in files]
    for version, _ in found:
        if not _VERSION.match(version):
            raise ValueError(f"migration {version}.sql: name it NNNN_what_it_does.sql")
    return found


def pending(backend: str, applied: Iterable[str]) -> list[tuple[str, str]]:
    done = set(applied)
    return [(version, sql) for version, sql in migration_files(backend) if version not in done]


def apply_sqlite(path: Path) -> list[str]:
    """Apply what is missing to the SQLite file; the versions applied by this call."""
    conn = connect(path, synchronous="FULL")
    try:
        conn.execute(_CREATE_TABLE)
        return [
            version
            for version, sql in pending(SQLITE, _sqlite_versions(conn))
            if apply_sqlite_migration(conn, version, sql)
        ]
    finally:
        conn.close()


def apply_sqlite_migration(conn: sqlite3.Connection, version: str, sql: str) -> bool:
    """Apply one migration in its own transaction; False when another process had
    applied it since this one looked."""
    try:
        # executescript commits anything open first, so the transaction is in the
        # script; the version's row comes first, as the claim on it.
        conn.executescript(
            f"BEGIN IMMEDIATE;\n"
            f"INSERT INTO schema_migrations (version) VALUES ('{version}');\n"
            f"{sql}\n;COMMIT;"
        )
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.IntegrityError) and version in _sqlite_versions(conn):
            return False
        raise
    return True


def _sqlite_versions(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}


async def apply_postgres(conn: Connection | asyncpg.Connection[Any]) -> list[str]:
    """Apply what is missing (one process at a time); the versions applied by this call."""
    applied: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", POSTGRES_LOCK)
    try:
        await conn.execute(_CREATE_TABLE)
        done = [r[0] for r in await conn.fetch("SELECT version FROM schema_migrations")]
        for version, sql in pending(POSTGRES, done):
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", version)
            applied.append(version)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", POSTGRES_LOCK)
    return applied
