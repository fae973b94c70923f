"""Rendering and form helpers shared by the emulator's pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from mmgate.domain.onboarding import OnboardingStatus
from mmgate.emulator.onboarding import Onboarding
from mmgate.emulator.pages import session
from mmgate.emulator.state import Emulator

TEMPLATES = Path(__file__).parent / "templates"
MAX_FORM_BYTES = 16 * 1024

STATUS_LABELS = {
    OnboardingStatus.INELIGIBLE_ON_BEHALF_OF_WABA: "Not eligible: owned on your behalf by "
    "a partner (transfer ownership or accept a partner's request)",
    OnboardingStatus.INELIGIBLE_INACTIVE_OR_RESTRICTED: "Not eligible: inactive or restricted",
    OnboardingStatus.INELIGIBLE_COUNTRY_NOT_SUPPORTED: "Not eligible: country not supported",
    OnboardingStatus.INELIGIBLE_USING_WHATSAPP_BUSINESS_APP: "Not eligible: uses the WhatsApp "
    "Business app",
    OnboardingStatus.ELIGIBLE: "Eligible",
    OnboardingStatus.PENDING_INTERNAL_SETUP: "Setting up (no action needed)",
    OnboardingStatus.ONBOARDED: "Onboarded",
}


def _date(value: float | None) -> str:
    if value is None:
        return ""
    return dt.datetime.fromtimestamp(value, dt.UTC).strftime("%d %b %Y, %H:%M UTC")


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
_env.filters["date"] = _date
_env.globals["status_label"] = lambda status: STATUS_LABELS[OnboardingStatus(status)]
# A terms request's state in words, as WhatsApp Manager shows it (not the raw enum).
REQUEST_LABELS = {
    "PENDING": "Waiting for a response",
    "ACCEPTED": "Accepted",
    "REJECTED": "Declined",
}
_env.globals["request_label"] = lambda status: REQUEST_LABELS.get(
    status, status.replace("_", " ").capitalize()
)


def emulator_of(request: Request) -> Emulator:
    emulator: Emulator = request.app.state.emulator
    return emulator


def onboarding_of(request: Request) -> Onboarding:
    return emulator_of(request).onboarding


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Every page knows who is logged in and carries the CSRF token for its forms."""
    user = session.current_user(request)
    context.setdefault("user", user)
    context.setdefault("csrf", session.csrf_token(request) if user is not None else "")
    html = _env.get_template(template).render(**context)
    return HTMLResponse(html, status, headers={"Cache-Control": "no-store"})


def notice(
    request: Request,
    title: str,
    message: str,
    *,
    status: int = 200,
    tone: str = "info",
    action: tuple[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A clear one-message page: an error, a refusal or a result."""
    return page(
        request,
        "notice.html",
        status,
        title=title,
        message=message,
        tone=tone,
        action=action,
        **context,
    )


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


async def form(request: Request) -> dict[str, str]:
    """An urlencoded form body (the pages post nothing else), first value per name."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in parsed.items()}


def with_query(path: str, **params: str | None) -> str:
    kept = {k: v for k, v in params.items() if v}
    return f"{path}?{urlencode(kept)}" if kept else path


def local_path(value: str | None) -> str | None:
    """A same-site path to send the browser to, or None: no open redirects."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    return value
