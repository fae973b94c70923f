"""When the SDK repeats a request, as a pure policy (no I/O, tested on its own).

Repeating is safe because every send carries one Idempotency-Key for all its
attempts: the gateway answers a repeat with the first answer, never a second
message.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import httpx

from mmgate.errors import is_transient
from mmgate.sdk._errors import error_code


@dataclass(frozen=True, slots=True)
class Retry:
    """`attempts` counts the first try; `Retry(attempts=1)` turns retrying off."""

    attempts: int = 3
    backoff_seconds: float = 0.25  # doubled after each attempt
    max_backoff_seconds: float = 4.0
    jitter: float = 0.1  # up to this share added at random, so clients do not retry in step
    _random: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("Retry.attempts counts the first try and must be at least 1")

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        base = min(self.max_backoff_seconds, self.backoff_seconds * 2.0 ** (attempt - 1))
        hinted = _seconds(retry_after)
        if hinted is not None:
            # Honour the server's hint, but never wait unboundedly on its word.
            base = min(max(base, hinted), self.max_backoff_seconds)
        return base * (1 + self._random.uniform(0, self.jitter))

    def should_retry(self, response: httpx.Response) -> bool:
        status = response.status_code
        return status >= 400 and is_transient(error_code(response), status)


def _seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare from our servers, and the backoff still applies
