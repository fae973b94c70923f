"""The one clock every time-based rule reads.

Production uses wall time. The sandbox clock is wall time plus an offset that
`/sandbox/clock` moves, or a frozen instant that only moves when told to, so a
30-day TTL is tested in milliseconds and no test sleeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol

# One move of the sandbox clock is at most ~10 years, and the clock never passes the
# year 3000: dates past that broke formatting and SQL until a restart (1e300 s did).
MAX_STEP_SECONDS = 10 * 366 * 86_400.0
MAX_INSTANT = 32_503_680_000.0  # 3000-01-01T00:00:00Z


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

    def __init__(
        self, *, frozen_at: float | None = None, offset: float = 0.0, path: Path | None = None
    ) -> None:
        self._frozen_at = frozen_at
        self._offset = offset
        self._path = path
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
        if not 0 <= seconds <= MAX_STEP_SECONDS:  # also refuses NaN
            raise ValueError(
                f"the clock only moves forward, at most {MAX_STEP_SECONDS:.0f} s at a time"
            )
        if self.now() + seconds > MAX_INSTANT:
            raise ValueError("the clock cannot move past the year 3000")
        self._offset += seconds
        if self._path is not None:
            _save(self._path, self._offset, self.now())
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


def persisted_sandbox_clock(path: Path, *, frozen: bool) -> SandboxClock:
    """A sandbox clock that resumes where it was: every jump is saved to `path`, and on
    start the clock is never earlier than the last saved instant (the wall clock may have
    gone back), so time only moves forward across restarts too."""
    wall = time.time()
    saved = _load(path)
    if saved is None:
        if frozen:
            return SandboxClock(frozen_at=float(int(wall)), path=path)
        return SandboxClock(path=path)
    offset, last_now = saved
    if frozen:
        return SandboxClock(frozen_at=last_now, path=path)
    return SandboxClock(offset=max(offset, last_now - wall), path=path)


def _save(path: Path, offset: float, now: float) -> None:
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps({"offset_seconds": offset, "now": now}))
    os.replace(partial, path)  # whole or not at all, also under kill -9


def _load(path: Path) -> tuple[float, float] | None:
    try:
        data = json.loads(path.read_text())
        return float(data["offset_seconds"]), float(data["now"])
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} is not a saved sandbox clock: {exc}") from None


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
