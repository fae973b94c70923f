"""A small time-bounded cache for look-ups on the hot path (keys, channels, partners).

Entries live a few seconds, so a change made by another process shows up
quickly; changes made in this process invalidate at once.

A `view` runs on every read with the current time, cached or not: a value that carries
its own end of validity (an API key in a rotation's overlap) stops being served at that
instant, not up to `ttl_seconds` later. What the cache cannot see early is a change made
by another process (a key revoked there): that shows up within `ttl_seconds`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from mmgate.clock import Clock

K = TypeVar("K")
V = TypeVar("V")
MAX_ENTRIES = 100_000


class TtlCache(Generic[K, V]):
    def __init__(
        self,
        clock: Clock,
        ttl_seconds: float,
        load: Callable[[K], Awaitable[V]],
        *,
        view: Callable[[V, float], V] | None = None,
    ) -> None:
        self._clock = clock
        self._ttl = ttl_seconds
        self._load = load
        self._entries: dict[K, tuple[float, V]] = {}
        self.view = view

    @property
    def ttl_seconds(self) -> float:
        return self._ttl

    async def get(self, key: K) -> V:
        now = self._clock.now()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            value = hit[1]
        else:
            value = await self._load(key)
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (now + self._ttl, value)
        return value if self.view is None else self.view(value, now)

    def invalidate(self, key: K | None = None) -> None:
        if key is None:
            self._entries.clear()
        else:
            self._entries.pop(key, None)
