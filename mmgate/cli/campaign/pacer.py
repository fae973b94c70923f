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
        """Reserve the next slot; how long until it starts."""
        now = self._clock()
        start = now if self._next is None else max(self._next, now)
        self._next = start + self._interval
        return start - now

    async def wait(self) -> None:
        delay = self.delay()
        if delay > 0:
            await asyncio.sleep(delay)
