"""The whole server on PostgreSQL (MMGATE_DATABASE_URL): a send comes back as webhooks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres.schema import server_database_url
from tests.support import seed
from tests.support.receiver import WebhookReceiver, statuses
from tests.support.server import ServerProcess


@pytest.fixture
def postgres_server(tmp_path: Path) -> Iterator[ServerProcess]:
    with server_database_url("mmgate_server") as url:
        server = ServerProcess(
            tmp_path / "data", seed.write_seed(tmp_path), {"MMGATE_DATABASE_URL": url}
        )
        try:
            yield server
        finally:
            server.stop()


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
