"""The outbox worker against a real store: a job still running in this process is never
started a second time, even when its lease runs out under it (a sandbox clock jump)."""

from __future__ import annotations

import asyncio
from typing import cast

import pytest

from mmgate.clock import SandboxClock
from mmgate.delivery.outbox import OutboxWorker
from mmgate.storage.port import (
    CLIENT_WEBHOOK,
    DeliveryAttempted,
    Job,
    JobOutcome,
    StatusUpdate,
    Store,
    WebhookAttempt,
)
from tests.integration.storage.workspace import HOOK_URL, NOW, message, provision, response

pytestmark = pytest.mark.anyio
LEASE = 60.0


async def test_a_running_job_is_not_run_again_when_its_lease_runs_out(store: Store) -> None:
    await provision(store)
    await store.accept(message("wamid.A"), response("wamid.A"), None)
    await store.record_statuses([StatusUpdate("wamid.A", "sent", NOW, None, b"wamid.A:sent")], NOW)
    clock = SandboxClock(frozen_at=NOW)
    started: list[int] = []
    began, release = asyncio.Event(), asyncio.Event()

    class Receiver:  # answers when released
        async def prepare(self, jobs: list[Job]) -> None:
            return None

        async def handle(self, job: Job) -> list[JobOutcome]:
            started.append(job.id)
            began.set()
            await release.wait()
            attempt = WebhookAttempt(job.id, HOOK_URL, clock.now(), 200, 1.0, "ok", None)
            return [DeliveryAttempted(job, attempt, done=True, retry_at=None)]

    worker = OutboxWorker(
        CLIENT_WEBHOOK, store, clock, Receiver(), concurrency=4, lease_seconds=LEASE
    )
    try:
        assert await worker.claim_once() == 1
        await began.wait()
        clock.advance(LEASE * 2)  # the lease ends while the delivery is still in flight
        assert await worker.claim_once() == 1  # the store hands the job out again...
        await asyncio.sleep(0)  # (a second start would run now)
        assert started == [started[0]], "...but the running job was not started twice"
        release.set()
        await worker.settle(5.0)
        assert len(started) == 1
        assert not await store.due(CLIENT_WEBHOOK, clock.now())
    finally:
        await worker.stop()


class _ClaimHeldOpen:
    """The real store, with its claim held open after it has committed: the moment the
    jobs are leased (no longer due) but not yet started by the worker."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.claimed, self.go = asyncio.Event(), asyncio.Event()

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    async def claim(self, kind: str, now: float, lease_until: float, limit: int) -> list[Job]:
        jobs = await self._store.claim(kind, now, lease_until, limit)
        if jobs:
            self.claimed.set()
            await self.go.wait()
        return jobs


async def test_settle_waits_for_jobs_being_claimed(store: Store) -> None:
    await provision(store)
    await store.accept(message("wamid.A"), response("wamid.A"), None)
    await store.record_statuses([StatusUpdate("wamid.A", "sent", NOW, None, b"wamid.A:sent")], NOW)
    clock = SandboxClock(frozen_at=NOW)
    handled: list[int] = []

    class Receiver:
        async def prepare(self, jobs: list[Job]) -> None:
            return None

        async def handle(self, job: Job) -> list[JobOutcome]:
            handled.append(job.id)
            attempt = WebhookAttempt(job.id, HOOK_URL, clock.now(), 200, 1.0, "ok", None)
            return [DeliveryAttempted(job, attempt, done=True, retry_at=None)]

    gated = _ClaimHeldOpen(store)
    worker = OutboxWorker(
        CLIENT_WEBHOOK, cast(Store, gated), clock, Receiver(), concurrency=4, lease_seconds=LEASE
    )
    claiming = asyncio.create_task(worker.claim_once())
    try:
        await gated.claimed.wait()
        settling = asyncio.create_task(worker.settle(5.0))
        await asyncio.wait({settling}, timeout=1.0)  # a settle that waits is still waiting
        settled_early = settling.done()
        gated.go.set()
        await claiming
        await settling
        assert not settled_early, "settle returned while a claimed job had not run"
        assert len(handled) == 1
    finally:
        gated.go.set()
        await claiming
        await worker.stop()
