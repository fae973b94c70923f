"""A worker that claims outbox jobs in batches with a lease, runs them concurrently and
records what they did in batches.

Per batch of N jobs the database sees one claim and one write of outcomes (plus, for
upstream sends, one "started" mark), not 2N writes: outcomes that finish while the
previous write commits are written together, as the engines' group commit does.

A job whose worker died comes back by itself once its lease expires; the lease is
longer than any HTTP timeout a job can take. A job's outcome not yet written when the
process dies is the same case: the job comes back (a webhook is delivered again, at
least once; an upstream send that was started is in doubt, never sent twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Protocol

from mmgate.clock import Clock, Waker
from mmgate.storage.port import Job, JobOutcome, Store

log = logging.getLogger(__name__)
IDLE_POLL_SECONDS = 0.5
# Jobs one claim takes at most (a worker may hold more, over several claims): every job of
# a claim starts in the same turn of the event loop, and 256 at once stalled the requests
# queued behind them for tens of ms.
MAX_CLAIM = 64


class JobRunner(Protocol):
    async def prepare(self, jobs: list[Job]) -> None:
        """Runs once per claimed batch, before any of its jobs starts."""
        ...

    async def handle(self, job: Job) -> list[JobOutcome]:
        """Run one job; what happened, to be recorded (nothing: the lease brings it back)."""
        ...


class OutboxWorker:
    def __init__(
        self,
        kind: str,
        store: Store,
        clock: Clock,
        runner: JobRunner,
        *,
        concurrency: int,
        lease_seconds: float,
        on_recorded: Callable[[], None] = lambda: None,
    ) -> None:
        self.kind = kind
        self._store = store
        self._clock = clock
        self._runner = runner
        self._concurrency = concurrency
        self._lease = lease_seconds
        self._on_recorded = on_recorded
        self.waker = Waker(clock)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._running: set[int] = set()  # ids of jobs started here and not yet recorded
        self._finished: list[tuple[Job, list[JobOutcome]]] = []
        self._have_finished = asyncio.Event()
        self._idle = asyncio.Event()
        self._recorder: asyncio.Task[None] | None = None
        self._quiet = True  # the last claim found nothing: look (a read) before claiming
        # Claims under way: their jobs are leased (no longer due) but not yet running here,
        # so a settle that saw neither would let the clock jump over them.
        self._claiming = 0

    async def run(self) -> None:
        self._recorder = asyncio.create_task(self._record_loop(), name=f"{self.kind}-record")
        try:
            while True:
                claimed = await self.claim_once()
                if not claimed or self._free() <= 0:
                    await self.waker.wait(IDLE_POLL_SECONDS)
        finally:
            self._recorder.cancel()

    def _free(self) -> int:
        # Jobs whose outcome waits to be written still count: they hold their lease.
        return self._concurrency - len(self._running)

    async def claim_once(self) -> int:
        """Claim what is due, up to the free concurrency, and start it; how many claimed."""
        free = self._free()
        if free <= 0:
            return 0
        now = self._clock.now()
        if self._quiet and not await self._store.due(self.kind, now):
            return 0  # a read, not a write: most wake-ups of a quiet kind find nothing
        self._claiming += 1
        try:
            jobs = await self._store.claim(self.kind, now, now + self._lease, min(free, MAX_CLAIM))
        finally:
            self._claiming -= 1
        self._quiet = not jobs
        # Still running here: its lease ran out on a clock that jumped (sandbox) or under
        # a very slow call. Running it twice would send it twice; the claim only renewed
        # the running job's lease.
        fresh = [job for job in jobs if job.id not in self._running]
        if not fresh:
            return len(jobs)
        self._running.update(job.id for job in fresh)
        try:
            await self._runner.prepare(fresh)
        except Exception:
            log.exception(
                "%s: preparing %d jobs failed; leases bring them back", self.kind, len(fresh)
            )
            self._running.difference_update(job.id for job in fresh)
            return len(jobs)
        for job in fresh:
            task = asyncio.create_task(self._run_one(job))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        return len(jobs)

    async def _run_one(self, job: Job) -> None:
        try:
            outcomes = await self._runner.handle(job)
        except Exception:
            # The lease will expire and the job comes back; log the bug loudly.
            log.exception("%s job %s failed unexpectedly", self.kind, job.id)
            outcomes = []
        self._finished.append((job, outcomes))
        self._have_finished.set()

    async def _record_loop(self) -> None:
        while True:
            await self._have_finished.wait()
            await self.record_finished()

    async def record_finished(self) -> None:
        """Write every outcome that finished since the last write, in one write."""
        self._have_finished.clear()
        batch, self._finished = self._finished, []
        if not batch:
            return
        outcomes = [outcome for _, done in batch for outcome in done]
        try:
            if outcomes:
                await self._store.record_outcomes(outcomes, self._clock.now())
        except Exception:
            log.exception("%s: recording %d outcomes failed", self.kind, len(outcomes))
        finally:
            self._running.difference_update(job.id for job, _ in batch)
            self.waker.wake()
            self._idle.set()
        if outcomes:
            self._on_recorded()

    async def settle(self, limit_seconds: float) -> None:
        """Return once no job of this kind is due now, running or unrecorded (or after
        `limit_seconds`)."""
        deadline = asyncio.get_running_loop().time() + limit_seconds
        while asyncio.get_running_loop().time() < deadline:
            if (
                not self._running
                and not self._claiming
                and not await self._store.due(self.kind, self._clock.now())
            ):
                return
            self._idle.clear()
            self.waker.wake()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.05):
                    await self._idle.wait()

    async def stop(self) -> None:
        for task in list(self._in_flight):
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)
        if self._recorder is not None:
            self._recorder.cancel()
            await asyncio.gather(self._recorder, return_exceptions=True)
        with contextlib.suppress(Exception):  # a clean stop writes what finished
            await self.record_finished()
