"""The two rate-limit policies, each written once: a sliding window of failures (against
guessing) and a token bucket (against floods). Callers pass the one clock's `now`, so tests
move time and never sleep. (Meta's per-number throughput is shared by every process through
the database instead: domain/throughput.py.)

Kept in memory per process: with N processes a client gets up to N times a limit, still far
below what guessing a 192-bit key or a password needs. Memory is bounded: past `MAX_KEYS`
tracked keys the oldest state is dropped wholesale, which can only make a limit more lenient
for a moment, never refuse a legitimate caller.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Protocol

MAX_KEYS = 10_000


class FailureWindow:
    """At most `limit` failures per key within `window_seconds`; then wait."""

    def __init__(self, limit: int, window_seconds: float, *, max_keys: int = MAX_KEYS) -> None:
        self._limit = limit
        self._window = window_seconds
        self._max_keys = max_keys
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
        if len(self._failures) >= self._max_keys and key not in self._failures:
            self._failures.clear()
        self._failures.setdefault(key, deque()).append(now)

    def forget(self, key: str) -> None:
        self._failures.pop(key, None)


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class TokenBucket:
    """A bucket per key holding up to `capacity` tokens, refilled at `per_second`.

    A capacity of 0 or less means unlimited (benchmarks switch limits off that way).
    """

    def __init__(self, capacity: float, per_second: float, *, max_keys: int = MAX_KEYS) -> None:
        self._capacity = capacity
        self._rate = per_second
        self._max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}

    @classmethod
    def per_minute(cls, requests: float) -> TokenBucket:
        """`requests` a minute, bursts up to a minute's worth."""
        return cls(requests, requests / 60.0)

    def take(self, key: str, now: float) -> float | None:
        """Spend one token; None when allowed, else seconds until one is available."""
        if self._capacity <= 0:
            return None
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_keys:
                self._buckets.clear()
            bucket = self._buckets[key] = _Bucket(self._capacity, now)
        bucket.tokens = min(self._capacity, bucket.tokens + (now - bucket.at) * self._rate)
        bucket.at = now
        if bucket.tokens < 1.0:
            return (1.0 - bucket.tokens) / self._rate
        bucket.tokens -= 1.0
        return None


class _Clock(Protocol):
    def now(self) -> float: ...


LOGIN_WINDOW_SECONDS = 15 * 60.0
LOGIN_FAILURES_PER_EMAIL = 10
LOGIN_FAILURES_PER_ADDRESS = 50


class LoginThrottle:
    """Failed sign-ins counted per email and per client address over a sliding window: the
    Hub's login and the emulator's Meta login both use it."""

    def __init__(
        self,
        clock: _Clock,
        *,
        per_email: int = LOGIN_FAILURES_PER_EMAIL,
        per_address: int = LOGIN_FAILURES_PER_ADDRESS,
    ) -> None:
        self._clock = clock
        self._by_email = FailureWindow(per_email, LOGIN_WINDOW_SECONDS)
        self._by_address = FailureWindow(per_address, LOGIN_WINDOW_SECONDS)

    def retry_after(self, email: str, address: str) -> float | None:
        """Seconds until another attempt is allowed, or None when it is allowed now."""
        now = self._clock.now()
        waits = [
            wait
            for wait in (
                self._by_email.retry_after(_email_key(email), now),
                self._by_address.retry_after(address, now),
            )
            if wait is not None
        ]
        return max(waits) if waits else None

    def failed(self, email: str, address: str) -> None:
        now = self._clock.now()
        self._by_email.failed(_email_key(email), now)
        self._by_address.failed(address, now)

    def succeeded(self, email: str) -> None:
        self._by_email.forget(_email_key(email))


def _email_key(email: str) -> str:
    return email.strip().lower()
