"""Rendering helpers shared by the Hub's pages: the Jinja environment, filters in the
domain's words, and small response and form helpers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

TEMPLATES = Path(__file__).parent / "templates"
MAX_FORM_BYTES = 16 * 1024

STATUS_TONES = {
    "accepted": "muted",
    "unknown": "warn",
    "sent_upstream": "muted",
    "sent": "info",
    "delivered": "info",
    "read": "good",
    "clicked": "good",
    "expired": "warn",
    "failed": "bad",
}
STATUS_LABELS = {"sent_upstream": "sent upstream"}
ROUTE_LABELS = {"mm_api": "MM API", "cloud_api": "Cloud API"}
MM_STATUS = {
    "ONBOARDED": ("Onboarded", "good"),
    "ELIGIBLE": ("Eligible: terms not signed yet", "info"),
    "PENDING_INTERNAL_SETUP": ("Setting up at Meta", "warn"),
    "INELIGIBLE_ON_BEHALF_OF_WABA": ("Not eligible: owned on the client's behalf", "muted"),
    "INELIGIBLE_INACTIVE_OR_RESTRICTED": ("Not eligible: inactive or restricted", "muted"),
    "INELIGIBLE_COUNTRY_NOT_SUPPORTED": ("Not eligible: country not supported", "muted"),
    "INELIGIBLE_USING_WHATSAPP_BUSINESS_APP": ("Not eligible: uses the Business app", "muted"),
}


def when(value: float | None) -> str:
    if value is None:
        return "—"
    return dt.datetime.fromtimestamp(value, dt.UTC).strftime("%d %b %Y, %H:%M:%S UTC")


def short_when(value: float | None) -> str:
    """For table cells, where the column header says UTC."""
    if value is None:
        return "—"
    return dt.datetime.fromtimestamp(value, dt.UTC).strftime("%d %b, %H:%M:%S")


def duration(seconds: float) -> str:
    """A TTL in the unit a marketer thinks in: '30 days', '12 hours', '90 s'."""
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds:,.0f} s"


def day_label(day: str) -> str:
    """'2026-11-25' → '25 Nov'."""
    return dt.date.fromisoformat(day).strftime("%d %b")


def parse_time(value: str | None) -> float | None:
    """A datetime-local value ("2026-11-25T14:30"), read as UTC; None when absent or bad."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=dt.UTC).timestamp()


def datetime_local(at: float) -> str:
    """The value of a datetime-local input for `at`, in UTC."""
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%dT%H:%M")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def route_label(route: str | None) -> str:
    return "not known yet" if route is None else ROUTE_LABELS.get(route, route)


def mm_status(status: str | None) -> tuple[str, str]:
    """(label, tone) of a WABA's MM onboarding status as the gateway last learnt it."""
    if status is None:
        return ("Not known yet", "muted")
    return MM_STATUS.get(status, (status.replace("_", " ").capitalize(), "muted"))


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters.update(
    when=when,
    short=short_when,
    duration=duration,
    day=day_label,
    percent=percent,
    route=route_label,
    status=lambda s: STATUS_LABELS.get(s, s),
    tone=lambda s: STATUS_TONES.get(s, "muted"),
)
NAV = [
    ("/hub/", "Overview", "overview"),
    ("/hub/integration", "Integration", "integration"),
    ("/hub/clients", "Clients", "clients"),
    ("/hub/channels", "Channels & API keys", "channels"),
    ("/hub/messages", "Messages", "messages"),
    ("/hub/webhooks", "Webhooks", "webhooks"),
    ("/hub/analytics", "Analytics", "analytics"),
    ("/hub/spend", "Spend", "spend"),
]
_env.globals.update(nav=NAV, mm_status=mm_status, with_query=lambda *a, **k: with_query(*a, **k))


def page(template: str, status: int = 200, /, **context: Any) -> HTMLResponse:
    html = _env.get_template(template).render(**context)
    # Pages show tenant data (and once, a new API key): never cached.
    headers = {
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'",
    }
    return HTMLResponse(html, status, headers=headers)


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


async def read_form(request: Request) -> dict[str, str]:
    """An urlencoded form body (the Hub posts nothing else), first value per name."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in parsed.items()}


def with_query(path: str, **params: str | int | None) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path


def local_path(value: str | None) -> str | None:
    """A same-site Hub path to send the browser to, or None: no open redirects."""
    if not value or not value.startswith("/hub/") or "\\" in value or "//" in value:
        return None
    return value
