"""A worker that claims outbox jobs with a lease and runs them, a few at a time.

A job whose worker died comes back by itself once its lease expires; the lease
is longer than any HTTP timeout a job can take.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from mmgate.clock import Clock, Waker
from mmgate.storage.port import Job, Store

log = logging.getLogger(__name__)
IDLE_POLL_SECONDS = 0.5


class OutboxWorker:
    def __init__(
        self,
        kind: str,
        store: Store,
        clock: Clock,
        handle: Callable[[Job], Awaitable[None]],
        *,
        concurrency: int,
        lease_seconds: float,
    ) -> None:
        self.kind = kind
        self._store = store
        self._clock = clock
        self._handle = handle
        self._concurrency = concurrency
        self._lease = lease_seconds
        self.waker = Waker(clock)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._running: set[int] = set()  # ids of the jobs those tasks run
        self._idle = asyncio.Event()

    async def run(self) -> None:
        while True:
            claimed = await self.claim_once()
            if not claimed or len(self._in_flight) >= self._concurrency:
                await self.waker.wait(IDLE_POLL_SECONDS)

    async def claim_once(self) -> int:
        """Claim what is due, up to the free concurrency, and start it; how many claimed."""
        free = self._concurrency - len(self._in_flight)
        if free <= 0:
            return 0
        now = self._clock.now()
        jobs = await self._store.claim(self.kind, now, now + self._lease, free)
        for job in jobs:
            if job.id in self._running:
                # Still running here: its lease ran out on a clock that jumped (sandbox)
                # or under a very slow call. Running it twice would send it twice; the
                # claim only renewed the running job's lease.
                continue
            self._running.add(job.id)
            task = asyncio.create_task(self._run_one(job))
            self._in_flight.add(task)
            task.add_done_callback(self._done)
        return len(jobs)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self.waker.wake()
        self._idle.set()

    async def settle(self, limit_seconds: float) -> None:
        """Return once no job of this kind is due now or running (or after `limit_seconds`)."""
        deadline = asyncio.get_running_loop().time() + limit_seconds
        while asyncio.get_running_loop().time() < deadline:
            if not self._in_flight and not await self._store.due(self.kind, self._clock.now()):
                return
            self._idle.clear()
            self.waker.wake()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.05):
                    await self._idle.wait()

    async def _run_one(self, job: Job) -> None:
        try:
            await self._handle(job)
        except Exception:
            # The lease will expire and the job comes back; log the bug loudly.
            log.exception("%s job %s failed unexpectedly", self.kind, job.id)
        finally:
            self._running.discard(job.id)

    async def stop(self) -> None:
        for task in list(self._in_flight):
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)
