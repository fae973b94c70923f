"""Per-number throughput (reference §7): 80 messages/s by default, up to 1,000; past it a
send gets 130429. One token bucket per phone number, on the one clock, shared by every
process and host through the database; a process takes tokens from it in grants and spends
them locally, so the bucket costs a write per grant, not per message.

The rules, pure:
- The bucket holds up to `burst` tokens (one second's worth) and refills at `per_second`
  (`refill`). A grant takes up to `ask` whole tokens from it at once (`take`): the store runs
  the same rule in one `UPDATE … RETURNING` (sql/throughput.sql), atomically across
  processes.
- A process's grant (`Grant`) is spent one token a send, and the next one is asked for while
  a grant's worth is still left, so sends do not wait for it. Unspent tokens are good for
  `GRANT_LIFETIME` after the last grant, so a process cannot hoard them; they go back to the
  bucket with its next ask. A process asks for twice as many when it spent a whole ask's
  worth since its last one and half as many after its tokens expired (between
  `worth_asking` and a full grant), so an idle process holds few. When the bucket answers
  (nearly) empty, the process refuses without asking again until, by the bucket's own
  arithmetic, it holds `worth_asking` tokens: a refusal costs no write, and a flood of
  refused sends costs one ask per `worth_asking` tokens, never one per send.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_PER_SECOND = 80
MAX_PER_SECOND = 1000
# A grant is up to a tenth of a second's worth: 8 tokens at 80/s, 100 at 1,000/s.
GRANT_SECONDS = 0.1
# Unspent tokens are good this long after the last grant, then go back to the bucket.
GRANT_LIFETIME = 1.0
# Float arithmetic on times may leave 0.9999999999 of a token that is a whole one.
EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Limit:
    """One number's limit: `per_second`, bursts up to one second's worth."""

    per_second: float

    @property
    def burst(self) -> float:
        return self.per_second

    @property
    def grant(self) -> int:
        """The most tokens a process asks for at once: a tenth of a second's worth."""
        return max(1, math.ceil(self.per_second * GRANT_SECONDS))

    @property
    def worth_asking(self) -> int:
        """The fewest: a quarter of a grant (25 ms worth), at least one. Also how many the
        bucket must hold before a process asks again after it answered (nearly) empty."""
        return max(1, self.grant // 4)


@dataclass(frozen=True, slots=True)
class Taken:
    """A grant from the bucket: `granted` whole tokens, `left` in the bucket after it."""

    granted: int
    left: float


@dataclass(frozen=True, slots=True)
class Ask:
    """What a process asks the bucket: up to `tokens`, giving back `returned` it let expire."""

    tokens: int
    returned: int = 0


def refill(tokens: float, at: float, now: float, limit: Limit) -> float:
    """The bucket at `now`: refilled for the time since `at`, never past the burst. Time
    that runs backwards (another host's clock ahead of this one) adds nothing."""
    return min(limit.burst, tokens + max(0.0, now - at) * limit.per_second)


def take(tokens: float, at: float, ask: Ask, limit: Limit, now: float) -> tuple[Taken, float]:
    """A grant from a bucket that held `tokens` at `at`, and the bucket's new time (which
    never goes back). Tokens given back count as if never taken: never past the burst.
    sql/throughput.sql is this, in SQL."""
    level = refill(tokens + ask.returned, at, now, limit)
    granted = min(ask.tokens, math.floor(level + EPSILON))
    return Taken(granted, level - granted), max(at, now)


def take_first(ask: Ask, limit: Limit) -> Taken:
    """A grant from a number's new bucket, which starts full."""
    taken, _ = take(limit.burst, 0.0, ask, limit, 0.0)
    return taken


class Grant:
    """A process's tokens for one number."""

    __slots__ = ("expires_at", "limit", "next_ask_at", "size", "spent", "tokens")

    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self.tokens = 0
        self.size = limit.grant  # how many to ask for next
        self.spent = 0  # since the last ask
        self.expires_at = -math.inf
        self.next_ask_at = -math.inf

    def spend(self, now: float) -> bool:
        """Spend one token; False when there is none to spend."""
        if self.tokens <= 0 or now >= self.expires_at:
            return False
        self.tokens -= 1
        self.spent += 1
        return True

    def may_ask(self, now: float) -> bool:
        """Whether the bucket may hold tokens worth asking for."""
        return now >= self.next_ask_at

    def running_low(self) -> bool:
        """A grant's worth or less left: time to ask for the next, before this one runs out."""
        return self.tokens <= self.size

    def ask(self, now: float) -> Ask:
        """The next ask, sized to what this process spends: twice as many when it spent a
        whole ask's worth since the last one, half as many when its tokens expired unspent
        (those go back to the bucket with the ask), between `worth_asking` and a grant."""
        returned = 0
        if self.tokens > 0 and now >= self.expires_at:
            returned, self.tokens = self.tokens, 0
            self.size = max(self.limit.worth_asking, self.size // 2)
        elif self.spent >= self.size:
            self.size = min(self.limit.grant, self.size * 2)
        self.spent = 0
        return Ask(self.size, returned)

    def received(self, taken: Taken, now: float) -> None:
        """Tokens taken at `now`; the bucket's answer says when to ask next: at once, unless
        it holds fewer than `worth_asking` (then when it will, by its own arithmetic)."""
        self.tokens = taken.granted + (self.tokens if now < self.expires_at else 0)
        self.expires_at = now + GRANT_LIFETIME
        missing = self.limit.worth_asking - taken.left
        self.next_ask_at = now + missing / self.limit.per_second if missing > EPSILON else -math.inf
