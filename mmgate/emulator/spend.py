"""Meta's book of what it delivered and charged: counters per day the message was sent,
WABA, template, route, market and pricing category, moved by the network's status and
click events. Analytics, insights and benchmarks read it (emulator/insights.py); the
market decides delivery through `gate` (emulator/market.py, market_numbers.py).

Counters, not messages, so memory stays flat however many messages a campaign sends;
days older than `KEEP_DAYS` before the newest are dropped. Like the network's messages
in flight, the book lives in memory: a restart or a sandbox reset empties it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mmgate.domain.routing import Route
from mmgate.emulator.market import Market
from mmgate.emulator.market_numbers import clears_at
from mmgate.emulator.messages import SimMessage

DAY = 86400.0
KEEP_DAYS = 120  # analytics look back 90 days, benchmarks 30 days and 2 more


@dataclass(frozen=True, slots=True)
class Key:
    day: float  # the UTC day the message was sent
    waba_id: str
    template_id: str
    category: str
    route: Route
    country: str
    pricing_category: str


@dataclass(slots=True)
class Totals:
    sent: int = 0
    delivered: int = 0
    read: int = 0
    clicks: int = 0
    spend: int = 0  # per-1,000 smallest units summed: divide by 100,000 for currency

    def add(self, other: Totals) -> None:
        self.sent += other.sent
        self.delivered += other.delivered
        self.read += other.read
        self.clicks += other.clicks
        self.spend += other.spend


def totals_of(rows: Iterable[tuple[Key, Totals]]) -> Totals:
    total = Totals()
    for _, counts in rows:
        total.add(counts)
    return total


def day_start(at: float) -> float:
    return (at // DAY) * DAY


class SpendBook:
    def __init__(self, market: Market) -> None:
        self.market = market
        self.book: dict[Key, Totals] = {}
        self._newest_day = 0.0

    def gate(self, message: SimMessage, ready_at: float) -> float | None:
        """The network asks when a message may reach the phone (None: never)."""
        if message.route is not Route.MM_API or message.bid is None:
            return ready_at
        cleared = clears_at(
            self.market, message.wa_id, message.country, message.bid, ready_at, message.expires_at
        )  # the country's market, or a market test number's own (emulator/market_numbers.py)
        if cleared is None:
            return None
        at, price = cleared
        message.charge = price
        return at

    def on_status(self, message: SimMessage, event: str, now: float) -> None:
        """A status the network emitted, or `clicked` for a link tap."""
        if message.template is None:
            return  # analytics are per template
        counts = self._counts(message)
        if event == "sent":
            counts.sent += 1
        elif event == "delivered":
            message.delivered_at = now
            if message.charge is None:
                message.charge = self.market.fixed_charge(message.pricing_category, message.country)
            counts.delivered += 1
            counts.spend += message.charge
        elif event == "read":
            message.read_at = now
            counts.read += 1
        elif event == "clicked":
            counts.clicks += 1

    def _counts(self, message: SimMessage) -> Totals:
        assert message.template is not None
        key = Key(
            day=day_start(message.sent_at),
            waba_id=message.waba_id,
            template_id=message.template.id,
            category=message.template.category,
            route=message.route,
            country=message.country,
            pricing_category=message.pricing_category,
        )
        counts = self.book.get(key)
        if counts is None:
            counts = self.book[key] = Totals()
            if key.day > self._newest_day:
                self._newest_day = key.day
                self._forget_before(key.day - KEEP_DAYS * DAY)
        return counts

    def _forget_before(self, cutoff: float) -> None:
        for key in [k for k in self.book if k.day < cutoff]:
            del self.book[key]

    def rows(
        self,
        *,
        since: float,
        until: float,
        waba_id: str | None = None,
        template_ids: set[str] | None = None,
        route: Route | None = None,
    ) -> Iterator[tuple[Key, Totals]]:
        """The counters of messages sent in [since, until) matching every filter given."""
        for key, counts in self.book.items():
            if not since <= key.day < until:
                continue
            if waba_id is not None and key.waba_id != waba_id:
                continue
            if template_ids is not None and key.template_id not in template_ids:
                continue
            if route is not None and key.route is not route:
                continue
            yield key, counts

    def reset(self) -> None:
        self.book.clear()
        self._newest_day = 0.0
