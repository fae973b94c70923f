"""`create_store` picks the backend from the URL or path it is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmgate.storage.factory import create_store
from mmgate.storage.postgres.store import PostgresStore
from mmgate.storage.sqlite.store import SqliteStore


@pytest.mark.parametrize(
    ("target", "path"),
    [
        ("gateway.db", Path("gateway.db")),
        (Path("/data/gateway.db"), Path("/data/gateway.db")),
        ("sqlite:///gateway.db", Path("gateway.db")),
        ("sqlite:////data/gateway.db", Path("/data/gateway.db")),
    ],
)
def test_a_path_or_sqlite_url_is_sqlite(target: str | Path, path: Path) -> None:
    store = create_store(target, sqlite_synchronous="NORMAL")
    assert isinstance(store, SqliteStore)
    assert store.engine.path == path


@pytest.mark.parametrize("url", ["postgresql://u@db:5432/mmgate", "postgres://u@db/mmgate"])
def test_a_postgresql_url_is_postgresql(url: str) -> None:
    store = create_store(url)
    assert isinstance(store, PostgresStore)
    assert store.db.url == url


def test_another_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="mysql"):
        create_store("mysql://u@db/mmgate")
