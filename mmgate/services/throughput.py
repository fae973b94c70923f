"""The per-number throughput limit of the send path, shared by every process and host.

Each process spends tokens it took from the number's bucket in the database in grants
(domain/throughput.py): one write item per grant (up to a tenth of a second's worth), none
per message. One ask per number is in flight at a time, started while a grant's worth is
still left, so a steady stream of sends does not wait for it; sends that find the grant
spent all the same wait for the one ask together.
"""

from __future__ import annotations

import asyncio
import logging

from mmgate.clock import Clock
from mmgate.domain.throughput import Ask, Grant, Limit
from mmgate.errors import GraphError
from mmgate.storage.port import Store

log = logging.getLogger(__name__)


class ThroughputLimiter:
    """Refuses sends past `per_second` for one number (130429); 0 means unlimited."""

    def __init__(self, per_second: float, store: Store, clock: Clock) -> None:
        self._limit = Limit(per_second) if per_second > 0 else None
        self._store = store
        self._clock = clock
        # Keys are the directory's own numbers (bounded), so no forgetting.
        self._grants: dict[str, Grant] = {}
        self._asking: dict[str, asyncio.Task[None]] = {}

    async def take(self, phone_number_id: str) -> None:
        limit = self._limit
        if limit is None:
            return
        grant = self._grants.get(phone_number_id)
        if grant is None:
            grant = self._grants[phone_number_id] = Grant(limit)
        now = self._clock.now()
        while not grant.spend(now):
            if not grant.may_ask(now):
                raise GraphError(130429, http_status=429)
            await asyncio.shield(self._ask(phone_number_id, grant, now))
            now = self._clock.now()  # the ask took time, and may have been another's
        if grant.running_low() and grant.may_ask(now):
            self._ask(phone_number_id, grant, now)  # ahead of need, not awaited

    def _ask(self, phone_number_id: str, grant: Grant, now: float) -> asyncio.Task[None]:
        """The number's ask in flight, or a new one."""
        task = self._asking.get(phone_number_id)
        if task is None or task.done():
            ask = grant.ask(now)
            task = asyncio.create_task(self._refill(phone_number_id, grant, ask, now))
            self._asking[phone_number_id] = task
            task.add_done_callback(lambda t: self._asked(phone_number_id, t))
        return task

    async def _refill(self, phone_number_id: str, grant: Grant, ask: Ask, now: float) -> None:
        taken = await self._store.take_throughput(phone_number_id, ask, grant.limit, now)
        grant.received(taken, now)

    def _asked(self, phone_number_id: str, task: asyncio.Task[None]) -> None:
        if self._asking.get(phone_number_id) is task:
            del self._asking[phone_number_id]
        # Sends waiting for it raise the failure themselves; one asked ahead has nobody.
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.warning("throughput grant for %s failed: %r", phone_number_id, exc)
