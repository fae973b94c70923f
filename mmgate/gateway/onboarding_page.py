"""`/onboard/{link_token}`: the page behind a partner's unique MM onboarding link (path A).

As 360dialog's link hands the client to Meta's embedded signup, this page hands the
browser to the emulator's embedded-signup page with a `redirect_uri` back here; the
result page then tells the client what happens next. The gateway learns the outcome
the way a BSP does: from Meta's `account_update` webhooks, not from this redirect.
"""

from __future__ import annotations

from urllib.parse import urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from mmgate.gateway.context import gateway_of
from mmgate.storage.port import Partner

# Meta's embedded signup for MM API. With the embedded emulator it is served on this
# origin; with real Meta the client would launch ES with the partner's Login config.
EMBEDDED_SIGNUP_PATH = "/embedded-signup/"

_PAGES = {
    "base.html": """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
 body { margin: 0; font: 15px/1.5 system-ui, sans-serif; background: #f4f6f8; color: #14213d; }
 main { max-width: 560px; margin: 3rem auto; background: #fff; border-radius: 10px;
        padding: 1.6rem 1.8rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
 h1 { font-size: 1.35rem; margin-top: 0; } .muted { color: #5c6773; }
 .button { display: inline-block; background: #0a7cff; color: #fff; padding: .6rem 1.1rem;
           border-radius: 6px; text-decoration: none; font-weight: 600; }
 ol li { margin-bottom: .3rem; }
</style></head>
<body><main>{% block main %}{% endblock %}</main></body></html>""",
    "start.html": """{% extends "base.html" %}{% block main %}
<p class="muted">{{ partner.name }}</p>
<h1>Enable Marketing Messages API for your business</h1>
<p>{{ partner.name }} invites you to accept Meta's Marketing Messages API terms, so your
eligible WhatsApp Business accounts can send marketing messages with delivery optimisation.</p>
<ol>
  <li>Log in with your Meta account (an admin of your business portfolio).</li>
  <li>Choose the business portfolio and review the terms.</li>
  <li>Accept and finish. Set-up then takes a few minutes; nothing else changes.</li>
</ol>
<p class="muted">Only an admin of the business portfolio can accept; {{ partner.name }} cannot
accept on your behalf.</p>
<p><a class="button" href="{{ signup_url }}">Continue with Meta</a></p>
{% endblock %}""",
    "done.html": """{% extends "base.html" %}{% block main %}
<p class="muted">{{ partner.name }}</p>
<h1>{{ heading }}</h1>
<p>{{ message }}</p>
{% if retry_url %}<p><a class="button" href="{{ retry_url }}">Start again</a></p>{% endif %}
{% endblock %}""",
    "unknown.html": """{% extends "base.html" %}{% block main %}
<h1>This onboarding link is not valid</h1>
<p>The link is wrong or has expired. Ask your provider for their current Marketing Messages
API onboarding link.</p>
{% endblock %}""",
}
_env = jinja2.Environment(loader=jinja2.DictLoader(_PAGES), autoescape=True)

_OUTCOMES = {
    "signed": (
        "Terms accepted",
        "Your eligible WhatsApp Business accounts are being set up for the Marketing Messages "
        "API; this takes a few minutes. {partner} is notified when each one is ready.",
    ),
    "already_signed": (
        "Already enabled",
        "This business portfolio had already accepted the Marketing Messages API terms; its "
        "eligible WhatsApp Business accounts need nothing more.",
    ),
    "cancelled": (
        "Signup not finished",
        "You left before accepting the terms. Nothing changed; you can start again any time.",
    ),
}


def _render(template: str, status: int = 200, **context: object) -> HTMLResponse:
    html = _env.get_template(template).render(**context)
    return HTMLResponse(html, status, headers={"Cache-Control": "no-store"})


async def _partner(request: Request) -> Partner | None:
    token = request.path_params["link_token"]
    return await gateway_of(request).store.partner_for_onboarding_token(token)


async def start(request: Request) -> Response:
    partner = await _partner(request)
    if partner is None:
        return _render("unknown.html", 404, title="Link not valid")
    back = f"/onboard/{request.path_params['link_token']}/done"
    signup_url = EMBEDDED_SIGNUP_PATH + "?" + urlencode({"redirect_uri": back})
    return _render(
        "start.html",
        title=f"{partner.name}: Marketing Messages API",
        partner=partner,
        signup_url=signup_url,
    )


async def done(request: Request) -> Response:
    partner = await _partner(request)
    if partner is None:
        return _render("unknown.html", 404, title="Link not valid")
    outcome = request.query_params.get("status", "cancelled")
    heading, message = _OUTCOMES.get(outcome, _OUTCOMES["cancelled"])
    retry = outcome not in ("signed", "already_signed")
    return _render(
        "done.html",
        title=heading,
        partner=partner,
        heading=heading,
        message=message.format(partner=partner.name),
        retry_url=f"/onboard/{request.path_params['link_token']}" if retry else None,
    )


routes = [
    Route("/onboard/{link_token}", start, methods=["GET"]),
    Route("/onboard/{link_token}/done", done, methods=["GET"]),
]
