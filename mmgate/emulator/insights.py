"""Meta's analytics of what it delivered and charged (emulator/spend.py), in Meta's
shapes: WABA fields `template_analytics` (with `product_type`) and `pricing_analytics`
(`GET /{waba_id}?fields=template_analytics.start(…).end(…)…`), and the Marketing API
Insights edge of the ad objects linked to MM templates (`GET /{ad_object}/insights`)
with the `marketing_messages_*` fields and read/click benchmarks (benchmarks.py)."""

from __future__ import annotations

import re
from typing import Any

from mmgate.domain.pricing import major_units
from mmgate.domain.routing import Route
from mmgate.emulator.spend import DAY, Totals, day_start, totals_of
from mmgate.emulator.state import Emulator
from mmgate.emulator.world import Waba
from mmgate.errors import GraphError

ANALYTICS = ("template_analytics", "pricing_analytics")
PRODUCT_TYPES = {"CLOUD_API": Route.CLOUD_API, "MARKETING_MESSAGES_LITE_API": Route.MM_API}
_MODIFIER = re.compile(r"\.(\w+)\(([^()]*)\)")
MAX_DAYS = 90


def split_analytics(raw: str | None) -> tuple[str | None, list[str]]:
    """Take the analytics fields out of `fields=` (their modifiers hold commas)."""
    if not raw:
        return raw, []
    parts, depth, current = [], 0, ""
    for char in raw + ",":
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    analytics = [p for p in parts if p.split(".", 1)[0] in ANALYTICS]
    rest = ",".join(p for p in parts if p and p not in analytics)
    return (rest or ("id" if analytics else None)), analytics


def _modifiers(segment: str) -> dict[str, str]:
    return {name: value.strip() for name, value in _MODIFIER.findall(segment)}


def _window(mods: dict[str, str]) -> tuple[float, float]:
    try:
        start, end = float(mods["start"]), float(mods["end"])
    except (KeyError, ValueError):
        raise GraphError(100, "Analytics need start(<unix time>) and end(<unix time>).") from None
    if end <= start or end - start > MAX_DAYS * DAY:
        raise GraphError(100, f"end must be after start, at most {MAX_DAYS} days later.")
    return day_start(start), end


def render_analytics(emulator: Emulator, waba: Waba, segments: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for segment in segments:
        name = segment.split(".", 1)[0]
        mods = _modifiers(segment)
        granularity = mods.get("granularity", "DAILY").upper()
        if granularity != "DAILY":
            raise GraphError(100, f"{name} supports granularity DAILY here.")
        render = _template_analytics if name == "template_analytics" else _pricing_analytics
        body[name] = {
            "data": [render(emulator, waba, mods)],
            "paging": {"cursors": {"before": "", "after": ""}},
        }
    return body


def _days(start: float, end: float) -> list[tuple[float, float]]:
    days, at = [], start
    while at < end:
        days.append((at, at + DAY))
        at += DAY
    return days


def _template_ids(waba: Waba, raw: str | None) -> list[str]:
    if raw is None:
        return [t.id for t in waba.templates]
    ids = re.findall(r"\d+", raw)
    if not ids or len(ids) > 10:
        raise GraphError(100, "template_ids must list 1..10 template ids.")
    return ids


def _template_analytics(emulator: Emulator, waba: Waba, mods: dict[str, str]) -> dict[str, Any]:
    start, end = _window(mods)
    product = mods.get("product_type", "CLOUD_API").upper()
    if product not in PRODUCT_TYPES:
        raise GraphError(100, f"product_type must be one of {', '.join(PRODUCT_TYPES)}.")
    points = []
    for template_id in _template_ids(waba, mods.get("template_ids")):
        for day, next_day in _days(start, end):
            selected = emulator.spend.rows(
                since=day,
                until=next_day,
                waba_id=waba.id,
                template_ids={template_id},
                route=PRODUCT_TYPES[product],
            )
            points.append(_template_point(template_id, day, next_day, totals_of(selected)))
    return {"granularity": "DAILY", "product_type": product, "data_points": points}


def _template_point(template_id: str, day: float, next_day: float, t: Totals) -> dict[str, Any]:
    spent = major_units(t.spend)
    cost: list[dict[str, Any]] = [{"type": "amount_spent", "value": round(spent, 6)}]
    if t.delivered:
        cost.append({"type": "cost_per_delivered", "value": round(spent / t.delivered, 6)})
    if t.clicks:
        cost.append({"type": "cost_per_url_button_click", "value": round(spent / t.clicks, 6)})
    point: dict[str, Any] = {
        "template_id": template_id,
        "start": int(day),
        "end": int(next_day),
        "sent": t.sent,
        "delivered": t.delivered,
        "read": t.read,
        "cost": cost,
    }
    if t.clicks:
        point["clicked"] = [{"type": "url_button", "count": t.clicks}]
    return point


def _pricing_analytics(emulator: Emulator, waba: Waba, mods: dict[str, str]) -> dict[str, Any]:
    start, end = _window(mods)
    points = []
    for day, next_day in _days(start, end):
        groups: dict[tuple[str, str], Totals] = {}
        for key, counts in emulator.spend.rows(since=day, until=next_day, waba_id=waba.id):
            if counts.delivered:
                group = (key.country, key.pricing_category.upper())
                groups.setdefault(group, Totals()).add(counts)
        for (country, category), total in sorted(groups.items()):
            points.append(
                {
                    "start": int(day),
                    "end": int(next_day),
                    "country": country,
                    "pricing_type": "REGULAR",
                    "pricing_category": category,
                    "volume": total.delivered,
                    "cost": round(major_units(total.spend), 6),
                }
            )
    return {"data_points": points}
