"""The Marketing API Insights edge of the read-only ad objects Meta links to MM
templates: `GET /{ad_id|ad_adset_id|ad_campaign_id|act_<ad_account_id>}/insights`
with the `marketing_messages_*` fields (marketing-messages/view-metrics).

Ad ids come from the template node (template_bids.ad_ids): an ad and an ad set per
template, a campaign and an ad account per WABA. Only MM API traffic is counted.
Values are strings, as Insights answers; money is in the WABA currency's units.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.domain.pricing import CURRENCY, major_units
from mmgate.domain.routing import Route as MessageRoute
from mmgate.emulator.benchmarks import benchmarks
from mmgate.emulator.graph_api import authorise, graph_version
from mmgate.emulator.spend import DAY, Totals, day_start, totals_of
from mmgate.emulator.state import Emulator
from mmgate.emulator.template_bids import find_template
from mmgate.emulator.world import Waba
from mmgate.errors import GraphError
from mmgate.web.responses import json_response

PRESETS = {"today": 1, "last_7d": 7, "last_14d": 14, "last_28d": 28, "last_30d": 30, "last_90d": 90}
DEFAULT_FIELDS = "marketing_messages_sent,marketing_messages_delivered,marketing_messages_spend"


def _rate(part: int, whole: int) -> str:
    return f"{part / whole * 100:.6f}" if whole else "0"


def _money(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") or "0"


FIELDS: dict[str, Callable[[Totals], str]] = {
    "marketing_messages_sent": lambda t: str(t.sent),
    "marketing_messages_delivered": lambda t: str(t.delivered),
    "marketing_messages_read": lambda t: str(t.read),
    "marketing_messages_link_btn_click": lambda t: str(t.clicks),
    "marketing_messages_delivery_rate": lambda t: _rate(t.delivered, t.sent),
    "marketing_messages_read_rate": lambda t: _rate(t.read, t.delivered),
    "marketing_messages_link_btn_click_rate": lambda t: _rate(t.clicks, t.delivered),
    "marketing_messages_spend": lambda t: _money(major_units(t.spend)),
    "marketing_messages_spend_currency": lambda _: CURRENCY,
    "marketing_messages_cost_per_delivered": (
        lambda t: _money(major_units(t.spend) / t.delivered) if t.delivered else "0"
    ),
    "marketing_messages_cost_per_link_btn_click": (
        lambda t: _money(major_units(t.spend) / t.clicks) if t.clicks else "0"
    ),
}
BENCHMARKS = ("marketing_messages_read_rate_benchmark", "marketing_messages_click_rate_benchmark")


def _resolve(emulator: Emulator, object_id: str) -> tuple[Waba, set[str] | None]:
    """The WABA the ad object belongs to, and its template (None: all templates)."""
    worlds = emulator.worlds
    for prefix in ("act_", "6"):
        waba = worlds.waba(object_id.removeprefix(prefix)) if object_id.startswith(prefix) else None
        if waba is not None:
            return waba, None
    if object_id[:1] in ("7", "8"):
        found = find_template(worlds, object_id[1:])
        if found is not None and worlds.is_onboarded(found[0]):
            return found[0], {found[1].id}
    raise GraphError(
        100,
        f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation.",
    )


def _period(request: Request, now: float) -> tuple[float, float]:
    raw_range = request.query_params.get("time_range")
    if raw_range:
        try:
            spec = json.loads(raw_range)
            since = dt.date.fromisoformat(spec["since"])
            until = dt.date.fromisoformat(spec["until"])
        except (ValueError, KeyError, TypeError):
            raise GraphError(
                100, 'time_range must be {"since":"YYYY-MM-DD","until":"YYYY-MM-DD"}.'
            ) from None
        start = dt.datetime.combine(since, dt.time(), dt.UTC).timestamp()
        end = dt.datetime.combine(until, dt.time(), dt.UTC).timestamp() + DAY
        if end <= start:
            raise GraphError(100, "time_range.until must not be before since.")
        return start, end
    preset = request.query_params.get("date_preset", "last_30d")
    if preset == "yesterday":
        return day_start(now) - DAY, day_start(now)
    if preset not in PRESETS:
        raise GraphError(100, f"date_preset must be one of yesterday, {', '.join(PRESETS)}.")
    end = day_start(now) + DAY
    return end - PRESETS[preset] * DAY, end


async def insights(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    graph_version(request)
    authorise(emulator, request)
    waba, templates = _resolve(emulator, request.path_params["object_id"])
    fields = [f.strip() for f in request.query_params.get("fields", DEFAULT_FIELDS).split(",")]
    unknown = [f for f in fields if f and f not in FIELDS and f not in BENCHMARKS]
    if unknown:
        raise GraphError(
            100,
            message=f"(#100) {unknown[0]} is not valid for fields param.",
            with_error_data=False,
        )
    since, until = _period(request, emulator.clock.now())
    selected = emulator.spend.rows(
        since=since,
        until=until,
        waba_id=waba.id,
        template_ids=templates,
        route=MessageRoute.MM_API,
    )
    row = _row(emulator, waba, fields, totals_of(selected))
    row["date_start"] = _day(since)
    row["date_stop"] = _day(until - DAY)
    return json_response(
        {"data": [row], "paging": {"cursors": {"before": "MAZDZD", "after": "MAZDZD"}}}
    )


def _row(emulator: Emulator, waba: Waba, fields: list[str], total: Totals) -> dict[str, Any]:
    row: dict[str, Any] = {f: FIELDS[f](total) for f in fields if f in FIELDS}
    if any(f in BENCHMARKS for f in fields):
        read, click = benchmarks(emulator, waba)
        values = dict(zip(BENCHMARKS, (read, click), strict=True))
        row.update({f: f"{values[f]:.2f}" for f in fields if f in BENCHMARKS})
    return row


def _day(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%d")


routes = [Route("/graph/{version}/{object_id}/insights", insights, methods=["GET"])]
