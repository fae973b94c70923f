"""Recipients whose market outcome is fixed: each max price outcome on purpose.

A Marketing Messages send with a max price to a number ending in one of these suffixes
(docs/test-numbers.md) meets a market of its own instead of its country's clearing
price, so a test reaches each outcome without shaping the market:

- `0070` always clears: delivered as soon as the phone can take it, charged the
  country's clearing price of that hour, or the max price itself when that is lower;
- `0071` never clears: the message waits at Meta and expires silently at its TTL,
  never delivered, never charged;
- `0072` clears at the next hourly price move: delivered at the top of the UTC hour
  after the one it could have been delivered in (unless its TTL ends first), charged
  as `0070` at that hour.

Sends without a max price, and Cloud API sends, are not touched: the recipients are the
happy path then (emulator/users.py lists them as test numbers for that).
"""

from __future__ import annotations

import math
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mmgate.emulator.market import Market

HOUR = 3600.0


class Outcome(Enum):
    CLEARS_NOW = "clears_now"
    NEVER_CLEARS = "never_clears"
    CLEARS_NEXT_HOUR = "clears_next_hour"


MARKET_NUMBERS: dict[str, Outcome] = {
    "0070": Outcome.CLEARS_NOW,
    "0071": Outcome.NEVER_CLEARS,
    "0072": Outcome.CLEARS_NEXT_HOUR,
}


def clears_at(
    market: Market, wa_id: str, country: str, bid: int, ready_at: float, until: float
) -> tuple[float, int] | None:
    """When a max-price message to `wa_id` is delivered and its charge; None: never."""
    outcome = MARKET_NUMBERS.get(wa_id[-4:])
    if outcome is None:
        return market.clears_at(country, bid, ready_at, until)
    if outcome is Outcome.NEVER_CLEARS:
        return None
    at = ready_at
    if outcome is Outcome.CLEARS_NEXT_HOUR:
        at = (math.floor(ready_at / HOUR) + 1) * HOUR
    if at > until:
        return None  # the TTL ends before the price moves
    return at, min(market.clearing(country, at), bid)
