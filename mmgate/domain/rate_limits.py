"""Limits against brute force and floods. Callers pass the one clock's `now`, so tests
move time and never sleep.

Kept in memory per process, like the Hub's login throttle: with N processes a client
gets up to N times a limit, still far below what guessing a 192-bit key needs. Memory is
bounded: past `MAX_KEYS` tracked keys the oldest state is dropped wholesale, which can
only make a limit more lenient for a moment, never refuse a legitimate caller.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

MAX_KEYS = 10_000


class FailureWindow:
    """At most `limit` failures per key within `window_seconds`; then wait."""

    def __init__(self, limit: int, window_seconds: float) -> None:
        self._limit = limit
        self._window = window_seconds
        self._failures: dict[str, deque[float]] = {}

    def retry_after(self, key: str, now: float) -> float | None:
        """Seconds until `key` may try again, or None when it may try now."""
        if self._limit <= 0:
            return None
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self._window:
            times.popleft()
        if len(times) < self._limit:
            return None
        return times[0] + self._window - now

    def failed(self, key: str, now: float) -> None:
        if self._limit <= 0:
            return
        if len(self._failures) >= MAX_KEYS and key not in self._failures:
            self._failures.clear()
        self._failures.setdefault(key, deque()).append(now)

    def forget(self, key: str) -> None:
        self._failures.pop(key, None)


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class RequestBudget:
    """A token bucket per key: `per_minute` requests a minute, bursts up to a minute's worth."""

    def __init__(self, per_minute: float) -> None:
        self._capacity = per_minute
        self._rate = per_minute / 60.0
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str, now: float) -> float | None:
        """Spend one request; None when allowed, else seconds until one is available."""
        if self._capacity <= 0:
            return None
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_KEYS:
                self._buckets.clear()
            bucket = self._buckets[key] = _Bucket(self._capacity, now)
        bucket.tokens = min(self._capacity, bucket.tokens + (now - bucket.at) * self._rate)
        bucket.at = now
        if bucket.tokens < 1.0:
            return (1.0 - bucket.tokens) / self._rate
        bucket.tokens -= 1.0
        return None
