"""Sends the emulator's webhooks to the app's callback URL, signed with the app secret.

A failed delivery is retried with exponential backoff on the clock for up to
7 days, as Meta does. Pending webhooks live in memory: the emulator models
Meta's side, and a restart of the embedded process restarts "Meta" too.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import msgspec

from mmgate.domain.webhooks import envelope
from mmgate.emulator.scheduler import Scheduler
from mmgate.httpclient import HttpClient, RequestFailed
from mmgate.signing import sign

log = logging.getLogger(__name__)
MAX_RETRY_SPAN = 7 * 24 * 3600.0


class Outgoing(msgspec.Struct):
    waba_id: str
    field: str
    value: dict[str, Any]
    first_at: float
    chain: str | None = None
    entry_time: int | None = None
    attempts: int = 0


class WebhookSender:
    def __init__(
        self,
        scheduler: Scheduler,
        target: Callable[[Outgoing], tuple[str | None, str]],
        http: HttpClient,
        *,
        concurrency: int = 64,
    ) -> None:
        self._scheduler = scheduler
        self._target = target  # webhook -> (its subscriber's callback URL, app secret)
        self._http = http
        self._queue: asyncio.Queue[Outgoing] = asyncio.Queue()
        self._concurrency = concurrency
        self._chains: dict[str, collections.deque[Outgoing]] = {}
        self.delivered = 0
        # Told of each webhook that went out (the durable journal, emulator/durable.py).
        self.on_delivered: Callable[[Outgoing], None] | None = None

    def emit(
        self,
        entry_id: str,
        field: str,
        value: dict[str, Any],
        now: float,
        *,
        chain: str | None = None,
        entry_time: int | None = None,
    ) -> None:
        """Queue a webhook; webhooks of one `chain` (a message) go out one after another.

        `entry_id` is the WABA id, or the partner's business id for account_update."""
        item = Outgoing(entry_id, field, value, first_at=now, chain=chain, entry_time=entry_time)
        if chain is not None:
            waiting = self._chains.get(chain)
            if waiting is not None:
                waiting.append(item)
                return
            self._chains[chain] = collections.deque()
        self._queue.put_nowait(item)

    def _next_in_chain(self, item: Outgoing) -> None:
        if item.chain is None:
            return
        waiting = self._chains.get(item.chain)
        if waiting:
            self._queue.put_nowait(waiting.popleft())
        else:
            self._chains.pop(item.chain, None)

    def pending(self) -> int:
        return self._queue.qsize()

    async def settle(self, limit_seconds: float) -> None:
        """Wait (bounded) until every queued webhook has had its attempt."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(limit_seconds):
                await self._queue.join()

    async def run(self) -> None:
        await asyncio.gather(*(self._worker() for _ in range(self._concurrency)))

    async def _worker(self) -> None:
        while True:
            item = await self._queue.get()
            self._scheduler.backlog_drained()
            try:
                ok = await self._post(item)
            except Exception:  # a bug must not stop delivery of everything else
                log.exception("emulator webhook delivery crashed")
                ok = False
            if ok:
                self.delivered += 1
                if self.on_delivered is not None:
                    self.on_delivered(item)
                self._next_in_chain(item)
            else:
                self._retry_later(item)
            self._queue.task_done()

    async def _post(self, item: Outgoing) -> bool:
        url, secret = self._target(item)
        if url is None:
            return True  # no callback configured: Meta drops it
        body = msgspec.json.encode(
            envelope(item.waba_id, item.field, [item.value], time=item.entry_time)
        )
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(secret, body)}
        try:
            response = await self._http.request("POST", url, headers=headers, body=body)
        except RequestFailed as exc:
            log.info("emulator webhook to %s failed: %s", url, exc)
            return False
        return 200 <= response.status < 300

    def _retry_later(self, item: Outgoing) -> None:
        item.attempts += 1
        delay = min(2.0**item.attempts, 3600.0)
        due = self._scheduler.clock.now() + delay
        if due - item.first_at > MAX_RETRY_SPAN:
            log.warning("emulator webhook dropped after 7 days of retries")
            self._next_in_chain(item)
            return
        self._scheduler.at(due, lambda _now: self._queue.put_nowait(item))
