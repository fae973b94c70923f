"""The whole server on PostgreSQL (MMGATE_DATABASE_URL): a send comes back as webhooks."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from anyio import run as anyio_run

from tests.storage.backends import POSTGRES_URL
from tests.support import seed
from tests.support.receiver import WebhookReceiver, statuses
from tests.support.server import ServerProcess


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(POSTGRES_URL, timeout=3)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
def postgres_server(tmp_path: Path) -> Iterator[ServerProcess]:
    schema = f"mmgate_server_{uuid.uuid4().hex[:10]}"
    try:
        anyio_run(_admin, f'CREATE SCHEMA "{schema}"')
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {type(exc).__name__}: {exc}")
    # asyncpg passes unknown DSN query parameters as server settings.
    url = f"{POSTGRES_URL}?search_path={schema}"
    server = ServerProcess(
        tmp_path / "data", seed.write_seed(tmp_path), {"MMGATE_DATABASE_URL": url}
    )
    try:
        yield server
    finally:
        server.stop()
        anyio_run(_admin, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_send_lifecycle_on_postgres(
    postgres_server: ServerProcess, receiver: WebhookReceiver
) -> None:
    postgres_server.set_webhook(receiver.url)
    response = postgres_server.send(seed.SEED_EXAMPLE)
    assert response.status_code == 200, response.text
    wamid = response.json()["messages"][0]["id"]
    postgres_server.advance(60)

    got = receiver.wait_for(lambda r: any(s["status"] == "read" for s in statuses(r)))
    assert [s["status"] for s in statuses(got)] == ["sent", "delivered", "read"]
    assert statuses(got)[0]["pricing"]["category"] == "marketing_lite"
    message = postgres_server.message(wamid)
    assert (message["status"], message["route_taken"]) == ("read", "mm_api")
