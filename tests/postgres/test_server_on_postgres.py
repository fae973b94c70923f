"""The whole app on PostgreSQL (MMGATE_DATABASE_URL), in this process: a send comes back as
webhooks. (Several processes on one database: test_two_processes.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.postgres.schema import server_database_url
from tests.support import seed
from tests.support.inprocess import InProcessApp, in_process_app
from tests.support.receiver import WebhookReceiver, statuses

pytestmark = pytest.mark.anyio


@pytest.fixture
def database_url() -> Iterator[str]:
    with server_database_url("mmgate_server") as url:  # its own event loop: a sync fixture
        yield url


@pytest.fixture
async def postgres_app(tmp_path: Path, database_url: str) -> AsyncIterator[InProcessApp]:
    async with in_process_app(tmp_path, env={"MMGATE_DATABASE_URL": database_url}) as app:
        yield app


async def test_send_lifecycle_on_postgres(
    postgres_app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await postgres_app.set_webhook(receiver.url)
    response = await postgres_app.send(seed.SEED_EXAMPLE)
    assert response.status_code == 200, response.text
    wamid = response.json()["messages"][0]["id"]
    await postgres_app.advance(60)

    got = await receiver.wait_for_async(lambda r: any(s["status"] == "read" for s in statuses(r)))
    assert [s["status"] for s in statuses(got)] == ["sent", "delivered", "read"]
    assert statuses(got)[0]["pricing"]["category"] == "marketing_lite"
    message = await postgres_app.message(wamid)
    assert (message["status"], message["route_taken"]) == ("read", "mm_api")
