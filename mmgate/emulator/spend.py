"""Meta's book of what it delivered and charged: every template message it accepted,
with its market, max price, delivery and read times and charge. Analytics, insights
and benchmarks read it (emulator/insights.py); the market decides delivery through
`gate` (emulator/market.py).

Like the network's messages in flight, the book lives in memory: a restart or a
sandbox reset starts it empty (docs/max-price.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mmgate.domain.routing import Route
from mmgate.emulator.market import Market
from mmgate.emulator.messages import SimMessage

DAY = 86400.0


@dataclass(frozen=True, slots=True)
class Totals:
    sent: int = 0
    delivered: int = 0
    read: int = 0
    clicks: int = 0
    spend: int = 0  # per-1,000 smallest units summed: divide by 100,000 for currency

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.sent + other.sent,
            self.delivered + other.delivered,
            self.read + other.read,
            self.clicks + other.clicks,
            self.spend + other.spend,
        )


def totals_of(messages: Iterable[SimMessage]) -> Totals:
    total = Totals()
    for m in messages:
        delivered = m.delivered_at is not None
        total = total + Totals(
            sent=1 if m.status not in ("failed", "accepted") else 0,
            delivered=1 if delivered else 0,
            read=1 if m.read_at is not None else 0,
            clicks=m.clicks,
            spend=(m.charge or 0) if delivered else 0,
        )
    return total


class SpendBook:
    def __init__(self, market: Market) -> None:
        self.market = market
        self.messages: list[SimMessage] = []

    def record(self, message: SimMessage) -> None:
        if message.template is not None:
            self.messages.append(message)

    def gate(self, message: SimMessage, ready_at: float) -> float | None:
        """The network asks when a message may reach the phone (None: never)."""
        if message.route is not Route.MM_API or message.bid is None:
            return ready_at
        cleared = self.market.clears_at(message.country, message.bid, ready_at, message.expires_at)
        if cleared is None:
            return None
        at, price = cleared
        message.charge = price
        return at

    def on_status(self, message: SimMessage, status: str, now: float) -> None:
        if status == "delivered":
            message.delivered_at = now
            if message.charge is None:
                message.charge = self.market.fixed_charge(message.pricing_category, message.country)
        elif status == "read":
            message.read_at = now

    def select(
        self,
        *,
        since: float,
        until: float,
        waba_id: str | None = None,
        template_ids: set[str] | None = None,
        route: Route | None = None,
    ) -> Iterator[SimMessage]:
        for m in self.messages:
            if not since <= m.sent_at < until or m.template is None:
                continue
            if waba_id is not None and m.waba_id != waba_id:
                continue
            if template_ids is not None and m.template.id not in template_ids:
                continue
            if route is not None and m.route is not route:
                continue
            yield m

    def reset(self) -> None:
        self.messages.clear()


def day_start(at: float) -> float:
    return (at // DAY) * DAY
