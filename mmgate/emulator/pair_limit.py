"""Meta's pair rate limit (131056): too many messages from one business number to one
user in a short time. Reference §7: about one message per 6 s with short bursts; the
emulator's bucket holds `BURST` sends and refills one every `INTERVAL` seconds on the
sandbox clock. Off unless the sandbox turns it on (a 2026-shapes setting), so bulk
rehearsals to one test number are not refused by default.

Bounded: idle pairs (full buckets) are forgotten when the table grows.
"""

from __future__ import annotations

from mmgate.errors import GraphError

INTERVAL = 6.0
BURST = 5
MAX_PAIRS = 100_000


class PairLimiter:
    def __init__(self) -> None:
        self.enabled = False
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # -> (tokens, at)

    def take(self, phone_number_id: str, wa_id: str, now: float) -> None:
        """Count one send, or raise 131056 (synchronously, as Meta answers it)."""
        if not self.enabled:
            return
        key = (phone_number_id, wa_id)
        tokens, at = self._buckets.get(key, (float(BURST), now))
        tokens = min(float(BURST), tokens + (now - at) / INTERVAL)
        if tokens < 1.0:
            raise GraphError(131056)
        if len(self._buckets) >= MAX_PAIRS and key not in self._buckets:
            self._forget_idle(now)
        self._buckets[key] = (tokens - 1.0, now)

    def _forget_idle(self, now: float) -> None:
        full = BURST * INTERVAL
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full}

    def clear(self) -> None:
        self._buckets.clear()
