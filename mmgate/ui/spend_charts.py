"""Spend charts for the Hub, drawn on the server as the other charts are (charts.py):
spend per day, MM API beside Cloud API, and the reach estimate (deliveries at each
max price, with the estimated cost per delivery)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from mmgate.domain.pricing import major_units
from mmgate.services.spend import Usage
from mmgate.ui.analytics import ROUTES
from mmgate.ui.charts import COLORS, _legend, _rect, _shows_label, _svg, _text, _y_grid
from mmgate.ui.render import day_label, route_label


def money(value: float | None, currency: str = "USD") -> str:
    if value is None:
        return "n/a"
    return f"{currency} {value:,.4f}".rstrip("0").rstrip(".")


def spend_chart(days: dict[str, dict[str, Usage]], currency: str, width: int = 1040) -> Markup:
    """Stacked bars per day: what MM API and Cloud API deliveries cost."""
    height, left, bottom, top = 240, 64, 28, 24
    plot_w, plot_h = width - left - 24, height - bottom - top
    labels = sorted(days)
    peak = max([0.0001, *(sum(u.spend for u in days[d].values()) for d in labels)])
    body = _y_grid(left, top, plot_w, plot_h, peak, lambda v: f"{v:.2f}")
    slot = plot_w / max(len(labels), 1)
    for i, label in enumerate(labels):
        y: float = top + plot_h
        for route in ROUTES:
            spent = days[label][route].spend
            h = plot_h * spent / peak
            tip = f"{day_label(label)}: {money(spent, currency)} via {route_label(route)}"
            body.append(
                _rect(left + i * slot + slot * 0.15, y - h, slot * 0.7, h, COLORS[route], tip)
            )
            y -= h
        if _shows_label(i, len(labels)):
            body.append(
                _text(left + i * slot + slot / 2, height - 6, day_label(label), anchor="middle")
            )
    return _svg(width, height, f"Spend per day ({currency})", [*body, *_legend(width)])


def reach_chart(estimates: list[dict[str, Any]], currency: str, width: int = 720) -> Markup:
    """One bar per max price: the estimated deliveries (range) of 1,000 targeted users."""
    height, left, bottom, top = 260, 56, 44, 24
    plot_w, plot_h = width - left - 24, height - bottom - top
    users = max([1, *(int(e.get("users", 1000)) for e in estimates)])
    body = _y_grid(left, top, plot_w, plot_h, users, lambda v: f"{v:.0f}")
    slot = plot_w / max(len(estimates), 1)
    for i, e in enumerate(estimates):
        low, high = int(e["lower_bound_deliveries"]), int(e["upper_bound_deliveries"])
        x = left + i * slot + slot * 0.2
        cost = major_units(float(e["cost_upper_bound"]))
        tip = (
            f"max price {money(major_units(e['bid_amount']), currency)}: {low}-{high} deliveries, "
            f"up to {money(cost, currency)} each"
        )
        body.append(
            _rect(
                x,
                top + plot_h * (1 - low / users),
                slot * 0.6,
                plot_h * low / users,
                COLORS["mm_api"],
                tip,
            )
        )
        body.append(
            _rect(
                x,
                top + plot_h * (1 - high / users),
                slot * 0.6,
                plot_h * (high - low) / users,
                "#9fd8c4",
                tip,
            )
        )
        body.append(
            _text(
                x + slot * 0.3,
                height - 24,
                money(major_units(e["bid_amount"]), currency),
                anchor="middle",
            )
        )
        body.append(_text(x + slot * 0.3, height - 8, f"{low}-{high}", anchor="middle"))
    return _svg(width, height, "Estimated deliveries per 1,000 users at each max price", body)
