"""Timed events on the one clock: a heap the emulator's loop pops when due.

Waiting is in real seconds, capped, and cut short when the clock jumps, so a
sandbox `advance` fires everything that became due at once.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable

from mmgate.clock import Clock, Waker

Action = Callable[[float], None]
MAX_IDLE_WAIT = 0.5
MAX_FIRE_PER_TICK = 5000


class Scheduler:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._heap: list[tuple[float, int, Action]] = []
        self._seq = itertools.count()
        self._waker = Waker(clock)

    def __len__(self) -> int:
        return len(self._heap)

    def at(self, due: float, action: Action) -> None:
        heapq.heappush(self._heap, (due, next(self._seq), action))
        if self._heap[0][2] is action:  # a new earliest event: re-arm the loop's wait
            self._waker.wake()

    def clear(self) -> None:
        self._heap.clear()

    def fire_due(self) -> int:
        """Run every action that is due now; returns how many ran."""
        now = self.clock.now()
        fired = 0
        while self._heap and self._heap[0][0] <= now and fired < MAX_FIRE_PER_TICK:
            _, _, action = heapq.heappop(self._heap)
            action(now)
            fired += 1
        return fired

    async def run(self) -> None:
        while True:
            if self.fire_due():
                await self._waker.wait(0)
                continue
            wait = MAX_IDLE_WAIT
            if self._heap:
                wait = min(wait, max(0.0, self._heap[0][0] - self.clock.now()))
            await self._waker.wait(wait)
