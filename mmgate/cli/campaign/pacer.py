"""Spacing sends to a rate (messages per second), the channel's throughput."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class Pacer:
    """Lets one send start every 1/rate seconds; no bursts, so the gateway's per-number
    limit (80/s by default, error 130429 past it) is not hit on purpose."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("the rate must be positive")
        self._interval = 1.0 / rate
        self._clock = clock
        self._next: float | None = None

    def delay(self) -> float:
        """Reserve the next slot; how long until it starts.

        Slots follow a fixed schedule, so a sleep that overshoots a little is made up by
        the next one and the average holds; after a real pause the schedule restarts,
        so the backlog is not sent as a burst."""
        now = self._clock()
        if self._next is None or now - self._next > self._interval:
            self._next = now
        start = self._next
        self._next = start + self._interval
        return max(0.0, start - now)

    async def wait(self) -> None:
        delay = self.delay()
        if delay > 0:
            await asyncio.sleep(delay)
