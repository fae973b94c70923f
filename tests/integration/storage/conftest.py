"""The storage contract runs on every backend: fixture `store` is one per backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from mmgate.storage.port import Store
from mmgate.storage.postgres.store import PostgresStore
from mmgate.storage.sqlite.store import SqliteStore
from tests.integration.storage.backends import POSTGRES_URL, isolated_schema, started


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# SQLite twice: its writer in a thread of the test's process, and in a process of its own
# (what `mmgate serve` runs): every write item must cross the pipe and come back alike.
@pytest.fixture(
    params=["sqlite", "sqlite-writer-process", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def store(
    request: pytest.FixtureRequest, tmp_path: Path, anyio_backend: str
) -> AsyncIterator[Store]:
    if request.param.startswith("sqlite"):
        writer = "process" if request.param == "sqlite-writer-process" else "thread"
        async with started(SqliteStore(tmp_path / "gateway.db", writer=writer)) as s:
            yield s
        return
    async with (
        isolated_schema() as settings,
        started(PostgresStore(POSTGRES_URL, server_settings=settings)) as s,
    ):
        yield s
