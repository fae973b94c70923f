"""Max price (Meta's "bids"): a template's `optimization_spec` and a send's
`bid_spec.per_message_bid_multiplier`, as Meta documents them (docs/max-price.md).

Amounts are Meta's: the most the business pays per 1,000 deliveries, in the WABA
currency's smallest unit (cents for USD). So `bid_amount` 5000 is $0.05 a delivery.
Pure rules, shared by the emulator (Meta's side) and the gateway (which refuses
locally what Meta would refuse).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import msgspec

from mmgate.errors import GraphError

BID_STRATEGY = "LOWEST_COST_WITH_BID_CAP"  # the one strategy Meta documents
BID_STRATEGIES = frozenset({BID_STRATEGY})
# Meta documents bid_amount as int32 on update; the floor of 1 and the cap of
# 1,000,000 smallest units per 1,000 (USD 10 a message) are mmgate's (docs/max-price.md).
MIN_BID_AMOUNT = 1
MAX_BID_AMOUNT = 1_000_000
# Meta: "a positive multiplier" (default 1). The upper bound is mmgate's sanity cap.
MAX_MULTIPLIER = 100.0
# Approved templates: 100 edits an hour, 2,400 a day (Meta's template editing limits).
EDITS_PER_HOUR = 100
EDITS_PER_DAY = 2400


class BidSpec(msgspec.Struct):
    """A send's `bid_spec`. Meta's sample quotes the multiplier as a string."""

    per_message_bid_multiplier: float | str | None = None


@dataclass(frozen=True, slots=True)
class OptimizationSpec:
    bid_strategy: str
    bid_amount: int

    def graph_json(self) -> dict[str, Any]:
        return {"bid_strategy": self.bid_strategy, "bid_amount": self.bid_amount}


def spec_from_body(body: dict[str, Any]) -> OptimizationSpec | None:
    """The template body's `optimization_spec` (or the older `bid_spec`), validated."""
    raw = body.get("optimization_spec", body.get("bid_spec"))
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise GraphError(100, "optimization_spec must be an object.")
    strategy = raw.get("bid_strategy", BID_STRATEGY)
    if strategy not in BID_STRATEGIES:
        raise GraphError(100, f"optimization_spec.bid_strategy must be {BID_STRATEGY}.")
    return OptimizationSpec(str(strategy), _bid_amount(raw.get("bid_amount")))


def _bid_amount(value: Any) -> int:
    # Meta's create sample quotes it ("<BID_AMOUNT>"); digits in a string are accepted.
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise GraphError(
            100,
            "optimization_spec.bid_amount is required: an integer, the max price per 1,000 "
            "deliveries in the WABA currency's smallest unit.",
        )
    if not MIN_BID_AMOUNT <= value <= MAX_BID_AMOUNT:
        raise GraphError(
            100, f"optimization_spec.bid_amount must be {MIN_BID_AMOUNT}..{MAX_BID_AMOUNT}."
        )
    return value


def multiplier(spec: BidSpec | None) -> float | None:
    """The send's multiplier, validated; None when the send has no `bid_spec`."""
    if spec is None or spec.per_message_bid_multiplier is None:
        return None
    value: Any = spec.per_message_bid_multiplier
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            value = math.nan
    if not math.isfinite(value) or not 0 < value <= MAX_MULTIPLIER:
        raise GraphError(
            100,
            "bid_spec.per_message_bid_multiplier must be a positive number "
            f"(at most {MAX_MULTIPLIER:g}).",
        )
    return float(value)


def effective_bid(bid_amount: int | None, factor: float | None) -> int | None:
    """The message's max price per 1,000: the template's bid times the multiplier."""
    if bid_amount is None:
        return None
    return max(1, round(bid_amount * (1.0 if factor is None else factor)))


def check_send(
    *,
    entry_point: str,
    has_bid_template: bool,
    factor: float | None,
    to_bsuid: bool,
) -> None:
    """Meta's refusals around max price for one send (both the emulator and gateway)."""
    if has_bid_template and entry_point == "messages":
        raise GraphError(131061)
    if to_bsuid and (has_bid_template or factor is not None):
        raise GraphError(131062)


def edits_allowed(edit_times: list[float], now: float) -> bool:
    """Whether an approved template may be edited again (100 an hour, 2,400 a day)."""
    last_hour = sum(1 for t in edit_times if now - t < 3600)
    last_day = sum(1 for t in edit_times if now - t < 86400)
    return last_hour < EDITS_PER_HOUR and last_day < EDITS_PER_DAY
