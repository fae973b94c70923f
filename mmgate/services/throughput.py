"""The per-number throughput limit of the send path, shared by every process and host.

Each process spends tokens it took from the number's bucket in the database in grants
(domain/throughput.py): one write item per grant (a tenth of a second's worth), none per
message. One ask per number is in flight at a time; sends that find the grant spent wait for
it together. The next grant is asked for when half of the current one is left, so at a
steady rate sends do not wait for it at all.
"""

from __future__ import annotations

import asyncio
import logging

from mmgate.domain.throughput import Grant, Limit
from mmgate.errors import GraphError
from mmgate.storage.port import Store

log = logging.getLogger(__name__)


class ThroughputLimiter:
    """Refuses sends past `per_second` for one number (130429); 0 means unlimited."""

    def __init__(self, per_second: float, store: Store) -> None:
        self._limit = Limit(per_second) if per_second > 0 else None
        self._store = store
        # Keys are the directory's own numbers (bounded), so no forgetting.
        self._grants: dict[str, Grant] = {}
        self._asking: dict[str, asyncio.Task[None]] = {}

    async def take(self, phone_number_id: str, now: float) -> None:
        limit = self._limit
        if limit is None:
            return
        grant = self._grants.get(phone_number_id)
        if grant is None:
            grant = self._grants[phone_number_id] = Grant()
        while not grant.spend(now):
            if not grant.may_ask(now):
                raise GraphError(130429, http_status=429)
            await asyncio.shield(self._ask(phone_number_id, grant, limit, now))
        if grant.running_low(limit) and grant.may_ask(now):
            self._ask(phone_number_id, grant, limit, now)  # ahead of need, not awaited

    def _ask(
        self, phone_number_id: str, grant: Grant, limit: Limit, now: float
    ) -> asyncio.Task[None]:
        """The number's ask in flight, or a new one."""
        task = self._asking.get(phone_number_id)
        if task is None or task.done():
            task = asyncio.create_task(self._refill(phone_number_id, grant, limit, now))
            self._asking[phone_number_id] = task
            task.add_done_callback(lambda t: self._asked(phone_number_id, t))
        return task

    async def _refill(self, phone_number_id: str, grant: Grant, limit: Limit, now: float) -> None:
        taken = await self._store.take_throughput(phone_number_id, limit.grant, limit, now)
        grant.received(taken, limit, now)

    def _asked(self, phone_number_id: str, task: asyncio.Task[None]) -> None:
        if self._asking.get(phone_number_id) is task:
            del self._asking[phone_number_id]
        # Sends waiting for it raise the failure themselves; one asked ahead has nobody.
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.warning("throughput grant for %s failed: %r", phone_number_id, exc)
