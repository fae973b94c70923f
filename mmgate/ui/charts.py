"""Inline SVG charts, drawn on the server: no chart library, no script, nothing fetched.

Each chart carries a `<title>` for screen readers and a tooltip per mark; the pages
show the same numbers in a table beside it.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from mmgate.ui.analytics import CLOUD_API, MM_API, ROUTES, Funnel, RouteFunnels
from mmgate.ui.render import day_label, percent, route_label

COLORS = {MM_API: "#0f9d76", CLOUD_API: "#4f6bed"}
GRID = "#e3e8ef"
INK = "#3b4654"
FONT = 'font-family="inherit" font-size="12"'


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", fill: str = INK) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" {FONT}>'
        f"{escape(text)}</text>"
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, tip: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" '
        f'rx="3" fill="{fill}"><title>{escape(tip)}</title></rect>'
    )


def funnel_chart(funnels: RouteFunnels) -> Markup:
    """Each stage of the funnel as a pair of bars: MM API above Cloud API."""
    label_w, width, bar_h, gap = 80, 520, 14, 12
    stages = [name for name, _ in Funnel().stages()]
    peak = max([1, *(f.accepted for f in funnels.routes.values())])
    plot_w = width - label_w - 110
    body: list[str] = []
    y = 24.0  # below the legend
    for stage in stages:
        body.append(_text(0, y + bar_h + 4, stage.capitalize()))
        for route in ROUTES:
            value = dict(funnels.routes[route].stages())[stage]
            w = plot_w * (value or 0) / peak
            tip = f"{route_label(route)}: {_count(value)} {stage}"
            body.append(_rect(label_w, y, w, bar_h, COLORS[route], tip))
            body.append(_text(label_w + w + 6, y + bar_h - 3, _count(value)))
            y += bar_h + 2
        y += gap
    return _svg(width, int(y), f"Funnel by route: {funnels.label}", [*body, *_legend(width)])


def volume_chart(days: list[RouteFunnels], width: int = 1040) -> Markup:
    """Messages accepted per day, MM API stacked on Cloud API."""
    height, left, bottom, top = 240, 40, 24, 26
    plot_w, plot_h = width - left - 24, height - bottom - top
    peak = _nice_max(max([0, *(d.total.accepted for d in days)]))
    slot = plot_w / max(len(days), 1)
    bar_w = max(min(slot * 0.7, 36), 2)
    body = _y_grid(left, top, plot_w, plot_h, peak, lambda v: f"{v:,.0f}")
    for i, day in enumerate(days):
        x = left + i * slot + (slot - bar_w) / 2
        base = float(top + plot_h)
        for route in (CLOUD_API, MM_API):
            count = day.routes[route].accepted
            h = plot_h * count / peak
            tip = f"{day_label(day.label)}: {count} via {route_label(route)}"
            body.append(_rect(x, base - h, bar_w, h, COLORS[route], tip))
            base -= h
        if _shows_label(i, len(days)):
            body.append(_text(x + bar_w / 2, height - 6, day_label(day.label), anchor="middle"))
    return _svg(width, height, "Messages per day by route", [*body, *_legend(width)])


def rate_chart(days: list[RouteFunnels], rate: str, title: str) -> Markup:
    """One line per route: `rate` ("read_rate", "delivery_rate", …) per day, 0-100%."""
    width, height, left, bottom, top = 560, 200, 44, 24, 26
    plot_w, plot_h = width - left - 24, height - bottom - top
    body = _y_grid(left, top, plot_w, plot_h, 1.0, lambda v: f"{v * 100:.0f}%")
    step = plot_w / max(len(days) - 1, 1)
    for route in ROUTES:
        points = []
        for i, day in enumerate(days):
            value = getattr(day.routes[route], rate)
            if value is None:
                continue
            x, y = left + i * step, top + plot_h * (1 - value)
            points.append(f"{x:.1f},{y:.1f}")
            tip = f"{day_label(day.label)}: {percent(value)} via {route_label(route)}"
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{COLORS[route]}">'
                f"<title>{escape(tip)}</title></circle>"
            )
        if len(points) > 1:
            body.insert(
                0,
                f'<polyline points="{" ".join(points)}" fill="none" '
                f'stroke="{COLORS[route]}" stroke-width="2"/>',
            )
    for i, day in enumerate(days):
        if _shows_label(i, len(days)):
            body.append(_text(left + i * step, height - 6, day_label(day.label), anchor="middle"))
    return _svg(width, height, title, [*body, *_legend(width)])


def meter(fraction: float | None, route: str | None = None) -> Markup:
    """A small horizontal bar for a rate in a table cell."""
    share = 0.0 if fraction is None else min(max(fraction, 0.0), 1.0)
    fill = COLORS.get(route or "", "#7a8797")
    return Markup(
        '<svg class="meter" viewBox="0 0 60 8" aria-hidden="true">'
        f'<rect width="60" height="8" rx="4" fill="{GRID}"/>'
        f'<rect width="{60 * share:.1f}" height="8" rx="4" fill="{fill}"/></svg>'
    )


def _legend(width: int) -> list[str]:
    parts, x = [], width - 190.0
    for route in ROUTES:
        parts.append(
            f'<rect x="{x:.1f}" y="2" width="10" height="10" rx="2" fill="{COLORS[route]}"/>'
        )
        parts.append(_text(x + 14, 11, route_label(route)))
        x += 95
    return parts


def _y_grid(
    left: float, top: float, plot_w: float, plot_h: float, peak: float, fmt: Callable[[float], str]
) -> list[str]:
    lines = []
    for i in range(5):
        value = peak * i / 4
        y = top + plot_h * (1 - i / 4)
        lines.append(
            f'<line x1="{left}" x2="{left + plot_w:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}"/>'
        )
        lines.append(_text(left - 6, y + 4, fmt(value), anchor="end"))
    return lines


def _nice_max(value: int) -> int:
    """A round axis maximum at or above `value`, divisible into four ticks."""
    if value <= 4:
        return 4
    magnitude: int = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 4, 5, 10):
        top = step * magnitude
        if top >= value and top % 4 == 0:
            return top
    return -(-value // 4) * 4


def _shows_label(index: int, count: int) -> bool:
    """At most about eight day labels, always the last one."""
    every = max(1, -(-count // 8))
    return index == count - 1 or (index % every == 0 and count - 1 - index >= every / 2)


def _count(value: int | None) -> str:
    return "n/a" if value is None else f"{value:,}"
