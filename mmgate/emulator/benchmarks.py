"""Read and click rate benchmarks, Meta's method (marketing-messages/view-metrics):
the 75th percentile of the rates of a cohort of similar MARKETING templates over the
past 30 days, computed daily with a delay of up to 2 days.

The emulated cohort: every MARKETING template with MM deliveries in the window whose
business is in the same country (the whole world when fewer than 5 are), plus
`benchmark_peers` synthetic peer templates whose rates are drawn from the market seed
and the day, so a small sandbox still has a cohort (docs/max-price.md).
"""

from __future__ import annotations

import hashlib
import math

from mmgate.domain.routing import Route
from mmgate.domain.templates import Category
from mmgate.emulator.spend import DAY, Totals, day_start
from mmgate.emulator.state import Emulator
from mmgate.emulator.world import Waba

WINDOW_DAYS = 30
LAG_DAYS = 2
PERCENTILE = 0.75
MIN_COHORT = 5
PEER_READ = (0.45, 0.85)  # synthetic peers' read rates (share of delivered)
PEER_CLICK = (0.03, 0.25)


def percentile(values: list[float], share: float = PERCENTILE) -> float:
    """Nearest-rank percentile (no interpolation)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def benchmark_window(now: float) -> tuple[float, float]:
    """The 30 days the benchmark shown at `now` is computed over (2 days behind)."""
    end = day_start(now) - (LAG_DAYS - 1) * DAY
    return end - WINDOW_DAYS * DAY, end


def benchmarks(emulator: Emulator, waba: Waba) -> tuple[float, float]:
    """(read rate benchmark, click rate benchmark), in percent."""
    since, until = benchmark_window(emulator.clock.now())
    reads, clicks = _cohort_rates(emulator, waba, since, until)
    seed = emulator.market.settings.seed
    for i in range(emulator.market.settings.benchmark_peers):
        reads.append(_peer(seed, "read", i, until, PEER_READ))
        clicks.append(_peer(seed, "click", i, until, PEER_CLICK))
    if not reads:
        return 0.0, 0.0
    return round(percentile(reads) * 100, 2), round(percentile(clicks) * 100, 2)


def _cohort_rates(
    emulator: Emulator, waba: Waba, since: float, until: float
) -> tuple[list[float], list[float]]:
    worlds = emulator.worlds
    owner = worlds.business(waba.business_id)
    country = owner.country if owner is not None else ""
    by_template: dict[str, Totals] = {}
    same_country: set[str] = set()
    for key, counts in emulator.spend.rows(since=since, until=until, route=Route.MM_API):
        if key.category != Category.MARKETING:
            continue
        by_template.setdefault(key.template_id, Totals()).add(counts)
        sender = worlds.waba(key.waba_id)
        business = worlds.business(sender.business_id) if sender is not None else None
        if business is not None and business.country == country:
            same_country.add(key.template_id)
    chosen = same_country if len(same_country) >= MIN_COHORT else set(by_template)
    reads, clicks = [], []
    for template_id in chosen:
        total = by_template[template_id]
        if total.delivered:
            reads.append(total.read / total.delivered)
            clicks.append(total.clicks / total.delivered)
    return reads, clicks


def _peer(seed: int, kind: str, index: int, day: float, bounds: tuple[float, float]) -> float:
    digest = hashlib.sha256(f"{seed}:peer:{kind}:{index}:{int(day)}".encode()).digest()
    unit = int.from_bytes(digest[:4], "big") / 0xFFFFFFFF
    return bounds[0] + unit * (bounds[1] - bounds[0])
