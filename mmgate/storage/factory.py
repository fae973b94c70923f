"""Pick the storage backend from a database URL or a file path."""

from __future__ import annotations

from pathlib import Path

from mmgate.storage.port import Store
from mmgate.storage.sqlite.store import SqliteStore

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
SQLITE_SCHEME = "sqlite:///"


def create_store(url_or_path: str | Path, *, sqlite_synchronous: str = "FULL") -> Store:
    """`postgresql://…` → PostgreSQL; `sqlite:///path` or a plain path → SQLite.

    `sqlite:///relative.db` and `sqlite:////absolute/path.db`, as SQLAlchemy spells them.
    """
    if isinstance(url_or_path, Path):
        return SqliteStore(url_or_path, synchronous=sqlite_synchronous)
    if url_or_path.startswith(POSTGRES_SCHEMES):
        # Imported here so SQLite users need not install the `postgres` extra.
        from mmgate.storage.postgres.store import PostgresStore

        return PostgresStore(url_or_path)
    if url_or_path.startswith(SQLITE_SCHEME):
        return SqliteStore(
            Path(url_or_path.removeprefix(SQLITE_SCHEME)), synchronous=sqlite_synchronous
        )
    if "://" in url_or_path:
        scheme = url_or_path.split("://", 1)[0]
        raise ValueError(
            f"unsupported database URL scheme {scheme!r}: use postgresql:// or sqlite:///"
        )
    return SqliteStore(Path(url_or_path), synchronous=sqlite_synchronous)
