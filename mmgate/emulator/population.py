"""Who the recipients that are not test numbers are: the population.

`happy` (the default, design §5): everyone is online, gets `delivered` within
seconds and reads shortly after, so a first send shows the whole lifecycle.
`realistic`: each number's behaviour is drawn from the seed and the number with a
stable hash (blake2b, not Python's per-process `hash()`), so the same seed gives
the same users in every run and every process. Shares are in docs/emulator.md.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

from mmgate.emulator.users import HAPPY, HOUR, Behaviour

MINUTE = 60.0
_DRAWS = 10


class Kind(StrEnum):
    HAPPY = "happy"
    REALISTIC = "realistic"


class Population:
    def __init__(self, kind: Kind = Kind.HAPPY, seed: int = 0) -> None:
        self.kind = kind
        self.seed = seed

    def behaviour(self, wa_id: str) -> Behaviour:
        if self.kind is Kind.HAPPY:
            return HAPPY
        return realistic_behaviour(self.seed, wa_id)


def draws(seed: int, wa_id: str) -> list[float]:
    """Ten independent uniforms in [0, 1) that depend only on (seed, number)."""
    digest = hashlib.blake2b(f"{seed}:{wa_id}".encode(), digest_size=2 * _DRAWS).digest()
    return [int.from_bytes(digest[i : i + 2], "big") / 65536 for i in range(0, 2 * _DRAWS, 2)]


def _log_uniform(u: float, low: float, high: float) -> float:
    """Between low and high, most values near low: waiting times people produce."""
    return float(low * (high / low) ** u)


def realistic_behaviour(seed: int, wa_id: str) -> Behaviour:
    u = draws(seed, wa_id)
    if u[0] < 0.03:  # 3 % have had enough marketing today (131049)
        return Behaviour(at_marketing_limit=True)
    online_after: float | None = 0.0
    if u[1] < 0.02:  # 2 %: phone lost or app gone, never online again
        online_after = None
    elif u[1] < 0.14:  # 12 %: offline for 10 min to 36 h (some 12 h TTLs expire)
        online_after = _log_uniform(u[2], 10 * MINUTE, 36 * HOUR)
    reads = u[5] < 0.80  # 80 % open the chat (or have read receipts on)
    return Behaviour(
        online_after_seconds=online_after,
        # Cloud API p99 about 5 s, MM API under 8 s (reference §7): skewed to fast.
        delivery_delay_seconds=round(0.3 + 4.2 * u[3] ** 2, 3),
        mm_extra_delay_seconds=round(0.5 + 2.5 * u[4] ** 2, 3),
        reads=reads,
        read_delay_seconds=round(_log_uniform(u[6], 5.0, 6 * HOUR), 3),
        taps_cta=reads and u[7] < 0.06,  # 6 % of readers tap the CTA
        tap_delay_seconds=round(_log_uniform(u[8], 2.0, 10 * MINUTE), 3),
    )
