"""The emulated max price market: one clearing price per country, moving over the day.

Meta does not publish its auction, so this is a model (docs/max-price.md, "The market"):

    clearing(country, t) = rate(country) * level
                           * (1 + amplitude * cos(2*pi * (hour(t) - peak_hour) / 24))
                           * (1 + jitter * u(seed, country, hour index of t))

in the max price unit (smallest currency unit per 1,000 deliveries), constant within
each UTC hour; `u` is a deterministic number in [-1, 1] drawn from SHA-256 of the seed,
the country and the hour. The sandbox can pin a country's price (`fixed`) or give its
24 hourly prices (`hourly`), so each outcome can be reached on purpose.

A Marketing Messages send with a max price is delivered when the clearing price is at
or below its effective bid (template `bid_amount` times the send's multiplier) at the
moment it could reach the phone; otherwise it waits for the first hour whose price
clears, and is dropped (expires silently) when none does within its TTL. It is
charged the clearing price at delivery: "that max price or lower". Without a max
price it pays the published rate; Cloud API always pays the published rate.
"""

from __future__ import annotations

import hashlib
import math

import msgspec

from mmgate.domain.pricing import MARKETING_RATES, list_price, marketing_rate

HOUR = 3600.0
MAX_WAIT_HOURS = 31 * 24  # a TTL is at most 30 days


class MarketSettings(msgspec.Struct, forbid_unknown_fields=True):
    seed: int = 0
    level: float = 0.8  # the average clearing price as a share of the published rate
    amplitude: float = 0.25  # daily swing around the average
    jitter: float = 0.05  # hourly noise
    peak_hour_utc: int = 15  # the busiest (dearest) hour
    rates: dict[str, int] = {}  # published marketing rates overridden per country
    fixed: dict[str, int] = {}  # a country's clearing price pinned
    hourly: dict[str, list[int]] = {}  # a country's 24 clearing prices, by UTC hour
    benchmark_peers: int = 20  # synthetic peer templates in benchmark cohorts

    def check(self) -> None:
        if not 0 < self.level <= 10 or not 0 <= self.amplitude < 1 or not 0 <= self.jitter < 1:
            raise ValueError("level must be in (0, 10], amplitude and jitter in [0, 1)")
        if not 0 <= self.benchmark_peers <= 1000:
            raise ValueError("benchmark_peers must be 0..1000")
        if not 0 <= self.peak_hour_utc <= 23:
            raise ValueError("peak_hour_utc must be 0..23")
        prices = [*self.rates.values(), *self.fixed.values()]
        prices += [p for day in self.hourly.values() for p in day]
        if any(p < 0 for p in prices) or any(len(day) != 24 for day in self.hourly.values()):
            raise ValueError("prices must be non-negative; hourly needs 24 prices")


class Market:
    def __init__(self) -> None:
        self.settings = MarketSettings()

    def rate(self, country: str) -> int:
        return marketing_rate(country, {**MARKETING_RATES, **self.settings.rates})

    def clearing(self, country: str, at: float) -> int:
        s = self.settings
        index = math.floor(at / HOUR)
        hour = index % 24
        if country in s.hourly:
            return s.hourly[country][hour]
        if country in s.fixed:
            return s.fixed[country]
        shape = 1 + s.amplitude * math.cos(2 * math.pi * (hour - s.peak_hour_utc) / 24)
        noise = 1 + s.jitter * _unit(s.seed, country, index)
        return max(1, round(self.rate(country) * s.level * shape * noise))

    def clears_at(
        self, country: str, bid: int, ready_at: float, until: float
    ) -> tuple[float, int] | None:
        """When a message bidding `bid` is delivered, and its charge; None: never in time."""
        price = self.clearing(country, ready_at)
        if price <= bid:
            return ready_at, price
        at = (math.floor(ready_at / HOUR) + 1) * HOUR
        for _ in range(MAX_WAIT_HOURS):
            if at > until:
                return None
            price = self.clearing(country, at)
            if price <= bid:
                return at, price
            at += HOUR
        return None

    def fixed_charge(self, pricing_category: str, country: str) -> int:
        """Cloud API, and MM without a max price: the published rate."""
        if pricing_category in ("marketing", "marketing_lite"):
            return self.rate(country)
        return list_price(pricing_category, country)

    def history(self, country: str, until: float, days: int) -> list[int]:
        """The hourly clearing prices of the last `days` days before `until`."""
        start = (math.floor(until / HOUR) - days * 24) * HOUR
        return [self.clearing(country, start + i * HOUR) for i in range(days * 24)]


def _unit(seed: int, country: str, index: int) -> float:
    digest = hashlib.sha256(f"{seed}:{country}:{index}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 0xFFFFFFFF * 2 - 1
