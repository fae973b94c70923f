"""The funnel a marketer reads: how many messages were sent, delivered, read, clicked,
failed or expired, and the rates between them, per route, template and day. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from mmgate.storage.port import ClickCount, FunnelRow

MM_API, CLOUD_API = "mm_api", "cloud_api"
ROUTES = (MM_API, CLOUD_API)
DAY = 86_400.0


@dataclass
class Funnel:
    accepted: int = 0
    sent: int = 0
    delivered: int = 0
    read: int = 0
    failed: int = 0
    expired: int = 0
    clicked: int | None = None  # None: not known (Meta's clicks name no message or template)

    def add(self, row: FunnelRow) -> None:
        self.accepted += row.accepted
        self.sent += row.sent
        self.delivered += row.delivered
        self.read += row.read
        self.failed += row.failed
        self.expired += row.expired

    def add_clicks(self, clicks: int) -> None:
        self.clicked = (self.clicked or 0) + clicks

    @property
    def delivery_rate(self) -> float | None:
        return _rate(self.delivered, self.sent)

    @property
    def read_rate(self) -> float | None:
        return _rate(self.read, self.delivered)

    @property
    def click_rate(self) -> float | None:
        return None if self.clicked is None else _rate(self.clicked, self.delivered)

    @property
    def failure_rate(self) -> float | None:
        return _rate(self.failed, self.accepted)

    @property
    def expiry_rate(self) -> float | None:
        return _rate(self.expired, self.accepted)

    def stages(self) -> list[tuple[str, int | None]]:
        return [
            ("sent", self.sent),
            ("delivered", self.delivered),
            ("read", self.read),
            ("clicked", self.clicked),
            ("failed", self.failed),
            ("expired", self.expired),
        ]


@dataclass
class RouteFunnels:
    """One funnel per route, for a template, a day, or everything."""

    label: str
    routes: dict[str, Funnel] = field(default_factory=lambda: {r: Funnel() for r in ROUTES})

    @property
    def total(self) -> Funnel:
        total = Funnel()
        for funnel in self.routes.values():
            total.add(_as_row(funnel))
            if funnel.clicked is not None:
                total.add_clicks(funnel.clicked)
        return total

    def add(self, row: FunnelRow) -> None:
        self.routes.setdefault(row.route, Funnel()).add(row)


@dataclass(frozen=True, slots=True)
class Period:
    since: float
    until: float
    days: list[str]


def period(now: float, days: int) -> Period:
    """The last `days` UTC days, today included (until the end of today)."""
    today = dt.datetime.fromtimestamp(now, dt.UTC).date()
    first = today - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(first, dt.time(), dt.UTC).timestamp()
    labels = [(first + dt.timedelta(days=i)).isoformat() for i in range(days)]
    return Period(since, since + days * DAY, labels)


def overall(rows: Iterable[FunnelRow], clicks: Iterable[ClickCount]) -> RouteFunnels:
    funnels = RouteFunnels("All templates")
    for row in rows:
        funnels.add(row)
    _attach_clicks(funnels, sum(c.clicks for c in clicks))
    return funnels


def by_template(rows: Iterable[FunnelRow]) -> list[RouteFunnels]:
    found: dict[str, RouteFunnels] = {}
    for row in rows:
        name = row.template_name or "(not a template)"
        found.setdefault(name, RouteFunnels(name)).add(row)
    return sorted(found.values(), key=lambda f: (-f.total.accepted, f.label))


def by_day(
    rows: Iterable[FunnelRow], clicks: Iterable[ClickCount], days: list[str]
) -> list[RouteFunnels]:
    found = {day: RouteFunnels(day) for day in days}
    for row in rows:
        if row.day in found:
            found[row.day].add(row)
    per_day: dict[str, int] = {}
    for click in clicks:
        per_day[click.day] = per_day.get(click.day, 0) + click.clicks
    for day, funnels in found.items():
        _attach_clicks(funnels, per_day.get(day, 0))
    return [found[day] for day in days]


def _attach_clicks(funnels: RouteFunnels, clicks: int) -> None:
    """Click events come from the MM API only, so they belong to its funnel."""
    funnels.routes[MM_API].add_clicks(clicks)


def _as_row(f: Funnel) -> FunnelRow:
    return FunnelRow("", None, "", f.accepted, f.sent, f.delivered, f.read, f.failed, f.expired)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None
