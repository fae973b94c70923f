"""A small time-bounded cache for look-ups on the hot path (keys, channels, partners).

Entries live a few seconds, so a change made by another process shows up
quickly; changes made in this process invalidate at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from mmgate.clock import Clock

K = TypeVar("K")
V = TypeVar("V")
MAX_ENTRIES = 100_000


class TtlCache(Generic[K, V]):
    def __init__(self, clock: Clock, ttl_seconds: float, load: Callable[[K], Awaitable[V]]) -> None:
        self._clock = clock
        self._ttl = ttl_seconds
        self._load = load
        self._entries: dict[K, tuple[float, V]] = {}

    async def get(self, key: K) -> V:
        now = self._clock.now()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = await self._load(key)
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (now + self._ttl, value)
        return value

    def invalidate(self, key: K | None = None) -> None:
        if key is None:
            self._entries.clear()
        else:
            self._entries.pop(key, None)
