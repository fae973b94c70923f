"""Pick the storage backend from a database URL or a file path."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from mmgate.storage.migrate import apply_postgres, apply_sqlite
from mmgate.storage.port import Store
from mmgate.storage.sqlite.engine import WriterKind
from mmgate.storage.sqlite.store import SqliteStore

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
SQLITE_SCHEME = "sqlite:///"


def database(url_or_path: str | Path) -> Path | str:
    """The SQLite file (a Path) or the PostgreSQL URL (a str) that is meant.

    `postgresql://…` → PostgreSQL; `sqlite:///path` or a plain path → SQLite:
    `sqlite:///relative.db` and `sqlite:////absolute/path.db`, as SQLAlchemy spells them.
    """
    if isinstance(url_or_path, Path):
        return url_or_path
    if url_or_path.startswith(POSTGRES_SCHEMES):
        return url_or_path
    if url_or_path.startswith(SQLITE_SCHEME):
        return Path(url_or_path.removeprefix(SQLITE_SCHEME))
    if "://" in url_or_path:
        scheme = url_or_path.split("://", 1)[0]
        raise ValueError(
            f"unsupported database URL scheme {scheme!r}: use postgresql:// or sqlite:///"
        )
    return Path(url_or_path)


def sqlite_writer_kind(setting: str) -> WriterKind:
    """`MMGATE_SQLITE_WRITER` resolved: "auto" is a process when this process may run on
    more than one core (its CPU affinity, as `taskset` or a container sets it)."""
    if setting == "auto":
        return "process" if len(os.sched_getaffinity(0)) > 1 else "thread"
    if setting in ("thread", "process"):
        return "process" if setting == "process" else "thread"
    raise ValueError(f"MMGATE_SQLITE_WRITER must be auto, thread or process, not {setting!r}")


def create_store(
    url_or_path: str | Path, *, sqlite_synchronous: str = "FULL", sqlite_writer: str = "thread"
) -> Store:
    target = database(url_or_path)
    if isinstance(target, Path):
        writer = sqlite_writer_kind(sqlite_writer)
        return SqliteStore(target, synchronous=sqlite_synchronous, writer=writer)
    # Imported here so SQLite users need not install the `postgres` extra.
    from mmgate.storage.postgres.store import PostgresStore

    return PostgresStore(target)


async def migrate_database(url_or_path: str | Path) -> list[str]:
    """Apply the missing migrations without starting a store; the versions applied."""
    target = database(url_or_path)
    if isinstance(target, Path):
        target.parent.mkdir(parents=True, exist_ok=True)
        return await asyncio.to_thread(apply_sqlite, target)
    import asyncpg

    try:
        conn = await asyncpg.connect(target)
    except asyncpg.PostgresError as exc:  # refused: no such database, role or password
        raise ConnectionError(str(exc)) from exc
    try:
        return await apply_postgres(conn)
    finally:
        await conn.close()
