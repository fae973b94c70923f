"""Sends the emulator's webhooks to the app's callback URL, signed with the app secret.

A failed delivery is retried with exponential backoff on the clock for up to
7 days, as Meta does.

Meta may batch notifications (several `changes` in one request); whether it does is
Meta's choice. The emulator batches only to callbacks that said they take it
(`batches_to`): the embedded gateway does, so under load one signed request carries
many statuses; any other subscriber gets one change per request, as Meta usually sends.
Pending webhooks live in memory: the emulator models Meta's side, and a restart of the
embedded process restarts "Meta" too.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import msgspec

from mmgate.domain.retry import SEVEN_DAYS, RetryPolicy
from mmgate.domain.webhooks import envelope
from mmgate.emulator.scheduler import Scheduler
from mmgate.httpclient import HttpClient, RequestFailed
from mmgate.signing import sign

log = logging.getLogger(__name__)
# Meta's own schedule for a failing callback: 2 s doubling, at most an hour apart, 7 days.
META_RETRY = RetryPolicy(
    base_seconds=2.0,
    factor=2.0,
    max_delay_seconds=3600.0,
    give_up_after_seconds=SEVEN_DAYS,
    jitter=0.0,
)


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
        batches_to: Callable[[str], bool] = lambda _url: False,
        max_batch: int = 25,
    ) -> None:
        self._scheduler = scheduler
        self._target = target  # webhook -> (its subscriber's callback URL, app secret)
        self._http = http
        self._queue: asyncio.Queue[Outgoing] = asyncio.Queue()
        self._concurrency = concurrency
        self._chains: dict[str, collections.deque[Outgoing]] = {}
        self._batches_to = batches_to
        self._max_batch = max_batch
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
            first = await self._queue.get()
            groups = self._take_batch(first)
            self._scheduler.backlog_drained()
            for (url, secret), batch in groups.items():
                try:
                    ok = await self._post(batch, url, secret)
                except Exception:  # a bug must not stop delivery of everything else
                    log.exception("emulator webhook delivery crashed")
                    ok = False
                for item in batch:
                    if ok:
                        self.delivered += 1
                        if self.on_delivered is not None:
                            self.on_delivered(item)
                        self._next_in_chain(item)
                    else:
                        self._retry_later(item)
                    self._queue.task_done()

    def _take_batch(self, first: Outgoing) -> dict[tuple[str | None, str], list[Outgoing]]:
        """`first`, plus what queued meanwhile when its callback takes batches, grouped by
        callback. Never two of one chain: a chain's next webhook is queued only once the
        previous one was delivered."""
        target = self._target(first)
        groups = {target: [first]}
        if target[0] is None or not self._batches_to(target[0]):
            return groups
        for _ in range(self._max_batch - 1):
            if self._queue.empty():
                break
            item = self._queue.get_nowait()
            groups.setdefault(self._target(item), []).append(item)
        return groups

    async def _post(self, batch: list[Outgoing], url: str | None, secret: str) -> bool:
        if url is None:
            return True  # no callback configured: Meta drops it
        body = msgspec.json.encode(batch_envelope(batch))
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(secret, body)}
        try:
            response = await self._http.request("POST", url, headers=headers, body=body)
        except RequestFailed as exc:
            log.info("emulator webhook to %s failed: %s", url, exc)
            return False
        return 200 <= response.status < 300

    def _retry_later(self, item: Outgoing) -> None:
        item.attempts += 1
        due = META_RETRY.next_attempt(item.attempts, item.first_at, self._scheduler.clock.now())
        if due is None:
            log.warning("emulator webhook dropped after 7 days of retries")
            self._next_in_chain(item)
            return
        self._scheduler.at(due, lambda _now: self._queue.put_nowait(item))


def batch_envelope(batch: list[Outgoing]) -> dict[str, Any]:
    """One notification: an entry per WABA (and entry time), each with its changes."""
    entries: dict[tuple[str, int | None], dict[str, Any]] = {}
    for item in batch:
        key = (item.waba_id, item.entry_time)
        entry = entries.get(key)
        if entry is None:
            one = envelope(item.waba_id, item.field, [item.value], time=item.entry_time)
            entries[key] = one["entry"][0]
        else:
            entry["changes"].append({"value": item.value, "field": item.field})
    return {"object": "whatsapp_business_account", "entry": list(entries.values())}
