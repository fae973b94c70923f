"""The one clock every time-based rule reads.

Production uses wall time. The sandbox clock is wall time plus an offset that
`/sandbox/clock` moves, or a frozen instant that only moves when told to, so a
30-day TTL is tested in milliseconds and no test sleeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Unix time in seconds."""
        ...

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener` whenever time jumps (never for a system clock)."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def on_change(self, listener: Callable[[], None]) -> None:
        return None


class SandboxClock:
    """Wall time shifted by an offset, or frozen; `advance` moves it forward."""

    def __init__(self, *, frozen_at: float | None = None) -> None:
        self._frozen_at = frozen_at
        self._offset = 0.0
        self._listeners: list[Callable[[], None]] = []
        self._settlers: list[Callable[[float], Awaitable[None]]] = []

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def now(self) -> float:
        if self._frozen_at is not None:
            return self._frozen_at + self._offset
        return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._offset += seconds
        for listener in list(self._listeners):
            listener()
        return self.now()

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def on_settle(self, settler: Callable[[float], Awaitable[None]]) -> None:
        """Register work that must finish before time may jump past `now`."""
        self._settlers.append(settler)

    async def settle(self, limit_seconds: float = 5.0) -> None:
        """Let what is due at the current instant finish (bounded), so a jump never
        overtakes work that was due before it: a simulation stays deterministic."""
        for settler in self._settlers:
            await settler(limit_seconds)


class Waker:
    """Wakes a background loop when new work arrives or the clock jumps."""

    def __init__(self, clock: Clock) -> None:
        self._event = asyncio.Event()
        clock.on_change(self.wake)

    def wake(self) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> None:
        """Wait up to `seconds` real seconds, returning early when woken."""
        if seconds > 0 and not self._event.is_set():
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancel that
            # arrives just after a wake, and a loop would then never stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    await self._event.wait()
        self._event.clear()
