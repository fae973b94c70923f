"""Both backends' migrations produce the same schema, and apply once each."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any, NamedTuple

import asyncpg
import pytest

from mmgate.storage.migrate import apply_sqlite, apply_sqlite_migration, migration_files
from mmgate.storage.postgres.store import PostgresStore
from mmgate.storage.sqlite.store import SqliteStore
from tests.integration.storage.backends import POSTGRES_URL, isolated_schema, started

pytestmark = pytest.mark.anyio

# SQLite has no booleans (flags are INTEGER 0/1) and one REAL; these are the families.
_SQLITE_FAMILIES = {"TEXT": "text", "INTEGER": "integer", "REAL": "real", "BLOB": "blob"}
_POSTGRES_FAMILIES = {
    "text": "text",
    "integer": "integer",
    "bigint": "integer",
    "smallint": "integer",
    "boolean": "integer",
    "double precision": "real",
    "real": "real",
    "bytea": "blob",
}


class Column(NamedTuple):
    family: str
    not_null: bool  # for columns outside the primary key (SQLite lets those be NULL)


class Index(NamedTuple):
    table: str
    columns: tuple[str, ...]
    unique: bool
    partial: bool


class Schema(NamedTuple):
    tables: dict[str, dict[str, Column]]
    primary_keys: dict[str, tuple[str, ...]]
    indexes: dict[str, Index]  # explicit CREATE INDEX ones, by name


def _implicit_rowid(columns: dict[str, Column], primary_key: tuple[str, ...]) -> bool:
    """A SQLite table has a hidden rowid unless an INTEGER PRIMARY KEY column is it."""
    return not (len(primary_key) == 1 and columns[primary_key[0]].family == "integer")


def _without_spelled_out_rowids(postgres: Schema, sqlite: Schema) -> Schema:
    """PostgreSQL may spell out SQLite's hidden rowid as a `rowid` column (where the store
    lists rows in insertion order); such a column is the same schema."""
    tables = {}
    for table, columns in postgres.tables.items():
        rowid = columns.get("rowid")
        hidden = table in sqlite.tables and _implicit_rowid(
            sqlite.tables[table], sqlite.primary_keys.get(table, ())
        )
        if rowid is not None and hidden and "rowid" not in sqlite.tables[table]:
            assert rowid == Column("integer", not_null=True), table
            columns = {name: c for name, c in columns.items() if name != "rowid"}
        tables[table] = columns
    return postgres._replace(tables=tables)


def _sqlite_schema(path: Path) -> Schema:
    conn = sqlite3.connect(path)
    try:
        tables: dict[str, dict[str, Column]] = {}
        primary_keys: dict[str, tuple[str, ...]] = {}
        names = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        for (table,) in names:
            info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
            tables[table] = {
                name: Column(_SQLITE_FAMILIES[decl.upper()], bool(not_null) and not pk)
                for _, name, decl, not_null, _, pk in info
            }
            primary_keys[table] = tuple(r[1] for r in sorted(info, key=lambda r: r[5]) if r[5])
        indexes: dict[str, Index] = {}
        for table in tables:
            for _, name, unique, origin, partial in conn.execute(f'PRAGMA index_list("{table}")'):
                if origin != "c":  # "pk" and "u" back constraints, as in PostgreSQL
                    continue
                columns = tuple(r[2] for r in conn.execute(f'PRAGMA index_info("{name}")'))
                indexes[name] = Index(table, columns, bool(unique), bool(partial))
        return Schema(tables, primary_keys, indexes)
    finally:
        conn.close()


async def _postgres_schema(conn: asyncpg.Connection[Any], schema: str) -> Schema:
    tables: dict[str, dict[str, Column]] = {}
    primary_keys: dict[str, list[str]] = {}
    for r in await conn.fetch(
        "SELECT c.table_name, c.column_name, c.data_type, c.is_nullable, k.ordinal_position "
        "FROM information_schema.columns c "
        "LEFT JOIN information_schema.table_constraints t ON t.table_schema = c.table_schema "
        "  AND t.table_name = c.table_name AND t.constraint_type = 'PRIMARY KEY' "
        "LEFT JOIN information_schema.key_column_usage k "
        "  ON k.constraint_schema = t.constraint_schema "
        "  AND k.constraint_name = t.constraint_name AND k.column_name = c.column_name "
        "WHERE c.table_schema = $1 ORDER BY k.ordinal_position",
        schema,
    ):
        in_pk = r["ordinal_position"] is not None
        family = _POSTGRES_FAMILIES[r["data_type"]]
        not_null = r["is_nullable"] == "NO" and not in_pk
        tables.setdefault(r["table_name"], {})[r["column_name"]] = Column(family, not_null)
        if in_pk:
            primary_keys.setdefault(r["table_name"], []).append(r["column_name"])
    indexes: dict[str, Index] = {}
    for r in await conn.fetch(
        "SELECT t.relname AS table_name, i.relname AS index_name, x.indisunique, "
        "  x.indpred IS NOT NULL AS partial, "
        "  array(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord) "
        "        JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum "
        "        ORDER BY k.ord) AS columns "
        "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
        "WHERE n.nspname = $1 AND NOT EXISTS "
        "  (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
        schema,
    ):
        indexes[r["index_name"]] = Index(
            r["table_name"], tuple(r["columns"]), r["indisunique"], r["partial"]
        )
    return Schema(tables, {t: tuple(c) for t, c in primary_keys.items()}, indexes)


def test_every_migration_exists_for_both_backends() -> None:
    sqlite_versions = [version for version, _ in migration_files("sqlite")]
    postgres_versions = [version for version, _ in migration_files("postgres")]
    assert postgres_versions == sqlite_versions


@pytest.mark.postgres
async def test_both_backends_migrate_to_the_same_schema(tmp_path: Path) -> None:
    path = tmp_path / "gateway.db"
    async with started(SqliteStore(path)):
        pass
    expected = _sqlite_schema(path)
    async with isolated_schema() as settings:
        async with started(PostgresStore(POSTGRES_URL, server_settings=settings)):
            pass
        conn = await asyncpg.connect(POSTGRES_URL)
        try:
            found = await _postgres_schema(conn, settings["search_path"])
        finally:
            await conn.close()
    actual = _without_spelled_out_rowids(found, expected)
    assert sorted(actual.tables) == sorted(expected.tables)
    for table, columns in expected.tables.items():
        assert actual.tables[table] == columns, table
    assert actual.primary_keys == expected.primary_keys
    assert actual.indexes == expected.indexes


async def test_sqlite_migrations_apply_once(tmp_path: Path) -> None:
    path = tmp_path / "gateway.db"
    for _ in range(2):
        async with started(SqliteStore(path)):
            pass
    conn = sqlite3.connect(path)
    try:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    finally:
        conn.close()
    assert sorted(versions) == [v for v, _ in migration_files("sqlite")]


async def test_a_sqlite_migration_applied_meanwhile_by_another_process_is_skipped(
    tmp_path: Path,
) -> None:
    """`mmgate db migrate` beside a starting server, say: the one that comes second to a
    migration finds its version taken, rolls back, and goes on."""
    path = tmp_path / "gateway.db"
    assert apply_sqlite(path) == [v for v, _ in migration_files("sqlite")]
    version, sql = migration_files("sqlite")[0]
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert apply_sqlite_migration(conn, version, sql) is False  # no "table exists"
        assert not conn.in_transaction
        with pytest.raises(sqlite3.OperationalError, match="no such table: nowhere"):
            apply_sqlite_migration(conn, "9999_broken", "UPDATE nowhere SET x = 1;")
        assert not conn.in_transaction
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    finally:
        conn.close()
    assert "9999_broken" not in versions  # its claim was rolled back with it
    assert apply_sqlite(path) == []


@pytest.mark.postgres
async def test_two_processes_starting_at_once_migrate_once() -> None:
    async with isolated_schema() as settings:
        first = PostgresStore(POSTGRES_URL, server_settings=settings)
        second = PostgresStore(POSTGRES_URL, server_settings=settings)
        await asyncio.gather(first.start(), second.start())
        await asyncio.gather(first.close(), second.close())
        async with started(PostgresStore(POSTGRES_URL, server_settings=settings)) as again:
            versions = await again.db.read(
                lambda c: c.fetch("SELECT version FROM schema_migrations ORDER BY version")
            )
    assert [r[0] for r in versions] == [v for v, _ in migration_files("postgres")]
