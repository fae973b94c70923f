"""Retry policy as a pure function: (attempt, now) -> when to try next, or give up."""

from __future__ import annotations

import random
from dataclasses import dataclass

SEVEN_DAYS = 7 * 24 * 3600.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base_seconds: float = 1.0
    factor: float = 2.0
    max_delay_seconds: float = 3600.0
    give_up_after_seconds: float = SEVEN_DAYS
    jitter: float = 0.2  # +/- 20 %, so retries of many messages spread out

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Delay before attempt number `attempt + 1` (attempt counts from 1)."""
        raw = min(self.base_seconds * self.factor ** max(attempt - 1, 0), self.max_delay_seconds)
        if self.jitter and rng is not None:
            raw *= 1 + rng.uniform(-self.jitter, self.jitter)
        return max(raw, 0.0)

    def next_attempt(
        self, attempt: int, first_at: float, now: float, rng: random.Random | None = None
    ) -> float | None:
        """When to try again, or None when the retry window (from `first_at`) is over."""
        at = now + self.delay(attempt, rng)
        if at - first_at > self.give_up_after_seconds:
            return None
        return at
