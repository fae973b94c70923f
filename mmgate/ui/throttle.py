"""Login attempts limited against password guessing: failures are counted per email and
per client address over a sliding window on the one clock.

Kept in memory per process (like the webhook endpoint health): with several processes
the limit is per process, still far below what guessing a password needs.
"""

from __future__ import annotations

from collections import deque

from mmgate.clock import Clock

WINDOW_SECONDS = 15 * 60.0
PER_EMAIL = 10
PER_ADDRESS = 50
MAX_KEYS = 10_000


class LoginThrottle:
    def __init__(
        self, clock: Clock, *, per_email: int = PER_EMAIL, per_address: int = PER_ADDRESS
    ) -> None:
        self._clock = clock
        self._limits = {"email": per_email, "address": per_address}
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def retry_after(self, email: str, address: str) -> float | None:
        """Seconds until another attempt is allowed, or None when it is allowed now."""
        now = self._clock.now()
        waits = [
            times[0] + WINDOW_SECONDS - now
            for key in self._keys(email, address)
            if len(times := self._recent(key, now)) >= self._limits[key[0]]
        ]
        return max(waits) if waits else None

    def failed(self, email: str, address: str) -> None:
        if len(self._failures) >= MAX_KEYS:
            self._failures.clear()  # bounded memory beats perfect memory under a flood
        now = self._clock.now()
        for key in self._keys(email, address):
            self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, email: str) -> None:
        self._failures.pop(("email", email.lower()), None)

    def _keys(self, email: str, address: str) -> list[tuple[str, str]]:
        return [("email", email.lower()), ("address", address)]

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - WINDOW_SECONDS:
            times.popleft()
        return times
