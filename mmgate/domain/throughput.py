"""Per-number throughput (reference §7): 80 messages/s by default, up to 1,000;
past it a send gets 130429. A token bucket per phone number on the one clock."""

from __future__ import annotations

from dataclasses import dataclass

from mmgate.errors import GraphError

DEFAULT_PER_SECOND = 80
MAX_PER_SECOND = 1000


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class ThroughputLimiter:
    """Refuses sends past `per_second` for one number; bursts up to one second's worth.

    The state is per process: with several API processes each holds its share
    (`per_second / processes`, see docs/operations.md)."""

    def __init__(self, per_second: float) -> None:
        self.per_second = per_second
        self._buckets: dict[str, _Bucket] = {}

    def take(self, phone_number_id: str, now: float) -> None:
        if self.per_second <= 0:
            return  # unlimited (benchmarks)
        bucket = self._buckets.get(phone_number_id)
        if bucket is None:
            bucket = self._buckets[phone_number_id] = _Bucket(self.per_second, now)
        bucket.tokens = min(self.per_second, bucket.tokens + (now - bucket.at) * self.per_second)
        bucket.at = now
        if bucket.tokens < 1:
            raise GraphError(130429, http_status=429)
        bucket.tokens -= 1
