"""Per-number throughput (reference §7): 80 messages/s by default, up to 1,000;
past it a send gets 130429. A token bucket per phone number on the one clock."""

from __future__ import annotations

import sys

from mmgate.domain.rate_limits import TokenBucket
from mmgate.errors import GraphError

DEFAULT_PER_SECOND = 80
MAX_PER_SECOND = 1000


class ThroughputLimiter:
    """Refuses sends past `per_second` for one number; bursts up to one second's worth.

    The state is per process: with several API processes each holds its share
    (`per_second / processes`, see docs/operations.md)."""

    def __init__(self, per_second: float) -> None:
        self.per_second = per_second
        # Keys are the directory's own numbers (bounded), so no wholesale forgetting.
        self._bucket = TokenBucket(per_second, per_second, max_keys=sys.maxsize)

    def take(self, phone_number_id: str, now: float) -> None:
        if self._bucket.take(phone_number_id, now) is not None:
            raise GraphError(130429, http_status=429)
