"""The named queries: the files parse, every query is used, every use names a query,
and every query compiles on the database it is meant for."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mmgate.storage import queries
from mmgate.storage.port import Store
from mmgate.storage.postgres.store import PostgresStore
from mmgate.storage.queries import POSTGRES, SQLITE, parse
from mmgate.storage.sqlite.store import SqliteStore

STORAGE = Path(queries.__file__).parent
# Calls that take a query name first: the connector's methods and the operations
# (mmgate/storage/connectors/__init__.py).
_QUERY_CALLS = {"fetch_one", "fetch_all", "execute", "execute_many"}


def _names_used() -> set[str]:
    """Query names in `self.connector.<call>("name", …)` and `<operation>("name", …)`."""
    used: set[str] = set()
    for path in STORAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func, first = node.func, node.args[0]
            on_connector = (
                isinstance(func, ast.Attribute)
                and func.attr in _QUERY_CALLS
                and isinstance(func.value, ast.Attribute)
                and func.value.attr == "connector"
            )
            operation = isinstance(func, ast.Name) and func.id in _QUERY_CALLS
            if (on_connector or operation) and isinstance(first, ast.Constant):
                used.add(str(first.value))
    return used


def test_the_query_files_parse_and_every_query_is_used() -> None:
    defined = set(queries.load().names())
    used = _names_used()
    assert sorted(defined - used) == [], "defined but never used"
    assert sorted(used - defined) == [], "used but not defined"


def test_parameters_are_numbered_once_each_in_order_of_first_use() -> None:
    (q,) = parse(
        "-- name: q\n-- what it does\n"
        "SELECT :b, :a::text, ':not_a_param', \"col:x\", :b -- :nor_this\nFROM t WHERE x = :a;"
    )
    assert q.params == ("b", "a")
    assert q.numbered == (
        "SELECT $1, $2::text, ':not_a_param', \"col:x\", $1 -- :nor_this\nFROM t WHERE x = $2"
    )
    assert q.args({"a": 1, "b": 2}) == (2, 1)
    with pytest.raises(TypeError, match=r"missing \['b'\], unknown \['c'\]"):
        q.args({"a": 1, "c": 3})


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("SELECT 1;\n-- name: q\nSELECT 2", "before the first"),
        ("-- name: q\n-- only words\n", "no statement"),
        ("-- name: q\nSELECT 1; SELECT 2", "more than one statement"),
        ("-- name: q\n-- dialect: mysql\nSELECT 1", "unknown dialect"),
    ],
)
def test_a_malformed_file_is_refused(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "-- name: q\nSELECT 1;\n-- name: q\nSELECT 2",
        "-- name: q\nSELECT 1;\n-- name: q\n-- dialect: postgres\nSELECT 2",
        "-- name: q\n-- dialect: sqlite\nSELECT 1",
    ],
)
def test_a_query_is_one_text_or_one_variant_per_database(text: str) -> None:
    with pytest.raises(ValueError, match="query q"):
        queries.QuerySet(parse(text))


@pytest.mark.anyio
async def test_every_query_compiles_on_its_database(store: Store) -> None:
    """Against the migrated schema: a wrong column or a dialect slip fails here, not in
    the one request that happens to run that query."""
    all_queries = queries.load()
    for name in all_queries.names():
        if isinstance(store, SqliteStore):
            await _explain_on_sqlite(store, all_queries.get(name, SQLITE))
        else:
            assert isinstance(store, PostgresStore)
            await _prepare_on_postgres(store, all_queries.get(name, POSTGRES))


async def _explain_on_sqlite(store: SqliteStore, q: queries.Query) -> None:
    await store.engine.read(lambda c: c.execute(f"EXPLAIN {q.sql}", dict.fromkeys(q.params)))


async def _prepare_on_postgres(store: PostgresStore, q: queries.Query) -> None:
    await store.db.read(lambda c: c.prepare(q.numbered))
