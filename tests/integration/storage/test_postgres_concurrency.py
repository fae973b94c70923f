"""Two PostgresStore instances, as two processes would be, working one set of jobs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import asyncpg
import pytest

from mmgate.domain import lifecycle
from mmgate.storage.port import (
    CLIENT_WEBHOOK,
    UPSTREAM_SEND,
    DeliveryAttempted,
    Job,
    StatusUpdate,
    WebhookAttempt,
)
from mmgate.storage.postgres.store import PostgresStore
from tests.integration.storage.backends import POSTGRES_URL, isolated_schema, started
from tests.integration.storage.workspace import HOOK_URL, NOW, message, provision, response

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]
MESSAGES = 120
LIFECYCLE = (lifecycle.SENT, lifecycle.DELIVERED, lifecycle.READ)


@pytest.fixture
async def two_stores(anyio_backend: str) -> AsyncIterator[tuple[PostgresStore, PostgresStore]]:
    async with isolated_schema() as settings, AsyncExitStack() as stack:
        first = await stack.enter_async_context(
            started(PostgresStore(POSTGRES_URL, server_settings=settings))
        )
        second = await stack.enter_async_context(
            started(PostgresStore(POSTGRES_URL, server_settings=settings))
        )
        yield first, second


async def test_two_writers_never_claim_the_same_job(
    two_stores: tuple[PostgresStore, PostgresStore],
) -> None:
    first, second = two_stores
    await provision(first)
    await asyncio.gather(
        *(
            first.accept(message(f"wamid.{i}"), response(f"wamid.{i}"), None)
            for i in range(MESSAGES)
        )
    )
    assert first.db.writer_stats.batches < MESSAGES  # the accepts were group-committed

    async def worker(store: PostgresStore) -> list[Job]:
        claimed: list[Job] = []
        while jobs := await store.claim(UPSTREAM_SEND, NOW, NOW + 60, 3):
            claimed += jobs
            await asyncio.sleep(0)  # let the other "process" in between
        return claimed

    results = await asyncio.gather(*(worker(s) for s in (first, second) for _ in range(3)))
    ids = [job.id for claimed in results for job in claimed]
    assert len(ids) == MESSAGES
    assert len(set(ids)) == MESSAGES
    assert all(claimed for claimed in results[:3]) and any(results[3:])


async def test_two_writers_relay_each_message_in_order_one_at_a_time(
    two_stores: tuple[PostgresStore, PostgresStore],
) -> None:
    first, second = two_stores
    await provision(first)
    for i in range(MESSAGES // 4):
        await first.accept(message(f"wamid.{i}"), response(f"wamid.{i}"), None)
    # Meta's statuses reach both processes; each records what it received.
    for status in LIFECYCLE:
        await asyncio.gather(
            *(
                (first if i % 2 else second).record_statuses(
                    [StatusUpdate(f"wamid.{i}", status, NOW, None, status.encode())], NOW
                )
                for i in range(MESSAGES // 4)
            )
        )

    held: set[str] = set()
    relayed: dict[str, list[bytes]] = {}

    async def worker(store: PostgresStore) -> None:
        while await store.due(CLIENT_WEBHOOK, NOW):
            for job in await store.claim(CLIENT_WEBHOOK, NOW, NOW + 60, 4):
                assert job.ordering_key is not None
                assert job.ordering_key not in held, "two statuses of one message at once"
                held.add(job.ordering_key)
                relayed.setdefault(job.ordering_key, []).append(job.payload or b"")
                await asyncio.sleep(0)
                held.discard(job.ordering_key)  # before the commit: a later claim is fair
                attempt = WebhookAttempt(job.id, HOOK_URL, NOW, 200, 1.0, "ok", None)
                await store.record_outcomes(
                    [DeliveryAttempted(job, attempt, done=True, retry_at=None)], NOW
                )

    await asyncio.gather(*(worker(s) for s in (first, second) for _ in range(3)))
    expected = [status.encode() for status in LIFECYCLE]
    assert relayed == {f"wamid.{i}": expected for i in range(MESSAGES // 4)}


async def test_the_writer_recovers_when_its_connection_is_lost(
    anyio_backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with isolated_schema() as settings:
        application = settings["search_path"]  # names this test's connections
        store = PostgresStore(
            POSTGRES_URL, server_settings={**settings, "application_name": application}
        )
        async with started(store):
            await provision(store)
            await store.accept(message("wamid.A"), response("wamid.A"), None)
            admin = await asyncpg.connect(POSTGRES_URL)
            try:
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = $1",
                    application,
                )
            finally:
                await admin.close()
            # Nothing of the batch on the lost connection was committed: it is written
            # again on a new connection, and the sender never notices.
            outcomes = await asyncio.gather(
                *(store.accept(message(w), response(w), None) for w in ("wamid.B", "wamid.C"))
            )
            assert not any(o.replayed for o in outcomes)
            assert "connection lost" in caplog.text
            claimed = await store.claim(UPSTREAM_SEND, NOW, NOW + 60, 10)
            assert [j.ref for j in claimed] == ["wamid.A", "wamid.B", "wamid.C"]
