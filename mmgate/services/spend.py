"""What marketing cost, as Meta reports it: template analytics per WABA for both
product types (`MARKETING_MESSAGES_LITE_API` and `CLOUD_API`), read through the one
Graph client, summed per day, template, route and client. The Hub's Spend page and
the Partner API's spend report read it; only Meta knows what a delivery was charged
(the gateway records each max-price send's cap, not its charge: docs/max-price.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from mmgate.domain.pricing import CURRENCY
from mmgate.errors import GraphError
from mmgate.upstream.graph import GraphClient, UpstreamUnavailable

PRODUCTS = {"MARKETING_MESSAGES_LITE_API": "mm_api", "CLOUD_API": "cloud_api"}
DAY = 86_400.0


@dataclass
class Usage:
    sent: int = 0
    delivered: int = 0
    read: int = 0
    clicks: int = 0
    spend: float = 0.0  # currency units

    def add(self, other: Usage) -> None:
        self.sent += other.sent
        self.delivered += other.delivered
        self.read += other.read
        self.clicks += other.clicks
        self.spend += other.spend

    @property
    def cost_per_delivered(self) -> float | None:
        return self.spend / self.delivered if self.delivered else None

    @property
    def cost_per_click(self) -> float | None:
        return self.spend / self.clicks if self.clicks else None


@dataclass
class TemplateSpend:
    waba_id: str
    template_id: str
    name: str
    language: str
    bid_amount: int | None
    routes: dict[str, Usage] = field(
        default_factory=lambda: {r: Usage() for r in PRODUCTS.values()}
    )


@dataclass
class SpendReport:
    currency: str = CURRENCY
    days: dict[str, dict[str, Usage]] = field(default_factory=dict)  # "YYYY-MM-DD" -> route
    templates: list[TemplateSpend] = field(default_factory=list)
    totals: dict[str, Usage] = field(
        default_factory=lambda: {r: Usage() for r in PRODUCTS.values()}
    )
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> Usage:
        total = Usage()
        for usage in self.totals.values():
            total.add(usage)
        return total


def _day(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%d")


def _usage(point: dict[str, Any]) -> Usage:
    cost = {c.get("type"): c.get("value") for c in point.get("cost", []) if isinstance(c, dict)}
    clicked = point.get("clicked", [])
    clicks = sum(int(c.get("count", 0)) for c in clicked if isinstance(c, dict))
    return Usage(
        sent=int(point.get("sent", 0)),
        delivered=int(point.get("delivered", 0)),
        read=int(point.get("read", 0)),
        clicks=clicks,
        spend=float(cost.get("amount_spent") or 0.0),
    )


async def spend_report(
    graph: GraphClient, waba_ids: list[str], since: float, until: float
) -> SpendReport:
    report = SpendReport()
    start = since
    while start < until:
        report.days[_day(start)] = {r: Usage() for r in PRODUCTS.values()}
        start += DAY
    for waba_id in waba_ids:
        try:
            await _add_waba(graph, report, waba_id, since, until)
        except (GraphError, UpstreamUnavailable) as exc:
            report.errors.append(f"WABA {waba_id}: {exc}")
    return report


async def _add_waba(
    graph: GraphClient, report: SpendReport, waba_id: str, since: float, until: float
) -> None:
    templates = {}
    for raw in await graph.message_templates(waba_id, None):
        spec = raw.get("optimization_spec")
        bid = spec.get("bid_amount") if isinstance(spec, dict) else None
        templates[str(raw.get("id"))] = TemplateSpend(
            waba_id,
            str(raw.get("id")),
            str(raw.get("name")),
            str(raw.get("language")),
            int(bid) if isinstance(bid, int) else None,
        )
    ids = list(templates)
    for product, route in PRODUCTS.items():
        for chunk in (ids[i : i + 10] for i in range(0, len(ids), 10)):  # Meta: 10 at most
            fields = (
                f"template_analytics.start({int(since)}).end({int(until)}).granularity(DAILY)"
                f".template_ids([{','.join(chunk)}]).product_type({product})"
            )
            body = await graph.object_fields(waba_id, fields)
            for block in body.get("template_analytics", {}).get("data", []):
                for point in block.get("data_points", []):
                    usage = _usage(point)
                    template = templates.get(str(point.get("template_id")))
                    if template is not None:
                        template.routes[route].add(usage)
                    day = report.days.get(_day(float(point.get("start", 0))))
                    if day is not None:
                        day[route].add(usage)
                    report.totals[route].add(usage)
    report.templates += [
        t
        for t in templates.values()
        if any(u.sent for u in t.routes.values()) or t.bid_amount is not None
    ]
