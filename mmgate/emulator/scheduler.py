"""Timed events on the one clock: a heap the emulator's loop pops when due.

Scaling: `at` is a heap push and firing a heap pop, O(log n) each; a tick looks at
the heap's head only, never at the pending events, so a million pending events
cost nothing until they are due. Waiting is in real seconds, capped, and cut short
when the clock jumps, so a sandbox `advance` fires everything that became due.

Firing is bounded by the backlog of whoever consumes the events (the webhook
sender's queue): a jump that makes 100,000 recipients due at once fires them a
batch at a time as the queue drains, instead of building every webhook at once.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable

from mmgate.clock import Clock, Waker

Action = Callable[[float], None]
MAX_IDLE_WAIT = 0.5
# Actions per turn of the event loop: a turn that fired thousands stalled every request
# behind it (~30 us an action), the gateway's accepts included (open loop: p99 accept).
MAX_FIRE_PER_TICK = 32
MAX_BACKLOG = 2000  # queued webhooks above which due events wait


class Scheduler:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        # (due, seq, action, owner): `owner` tags events a part can drop (sandbox reset).
        self._heap: list[tuple[float, int, Action, object]] = []
        self._seq = itertools.count()
        self._waker = Waker(clock)
        self._backlog: Callable[[], int] = lambda: 0
        self._max_backlog = MAX_BACKLOG

    def __len__(self) -> int:
        return len(self._heap)

    def limit_by(self, backlog: Callable[[], int], maximum: int = MAX_BACKLOG) -> None:
        """Fire no event while `backlog()` is at or above `maximum`."""
        self._backlog, self._max_backlog = backlog, maximum

    def at(self, due: float, action: Action, owner: object = None) -> None:
        heapq.heappush(self._heap, (due, next(self._seq), action, owner))
        if self._heap[0][2] is action:  # a new earliest event: re-arm the loop's wait
            self._waker.wake()

    def clear(self) -> None:
        self._heap.clear()

    def drop(self, owner: object) -> int:
        """Forget every pending event of `owner` (O(n), for a sandbox reset)."""
        kept = [event for event in self._heap if event[3] is not owner]
        dropped = len(self._heap) - len(kept)
        heapq.heapify(kept)
        self._heap = kept
        return dropped

    def backlog_drained(self) -> None:
        """The consumer took from its backlog: due events held back by it may fire now."""
        if self.due() and not self.blocked():
            self._waker.wake()

    def due(self) -> bool:
        return bool(self._heap) and self._heap[0][0] <= self.clock.now()

    def blocked(self) -> bool:
        return self._backlog() >= self._max_backlog

    def fire_due(self) -> int:
        """Run the actions due now, in order, while the backlog allows; how many ran."""
        now = self.clock.now()
        fired = 0
        heap = self._heap
        while heap and heap[0][0] <= now and fired < MAX_FIRE_PER_TICK:
            if fired % 100 == 0 and self.blocked():
                break
            action = heapq.heappop(heap)[2]
            action(now)
            fired += 1
        return fired

    async def run(self) -> None:
        while True:
            if self.fire_due():
                await self._waker.wait(0)
                await asyncio.sleep(0)  # let requests in between turns
                continue
            # Nothing due, or due but held back by the backlog until `backlog_drained`.
            wait = MAX_IDLE_WAIT
            if self._heap and not self.due():
                wait = min(wait, self._heap[0][0] - self.clock.now())
            await self._waker.wait(wait)
