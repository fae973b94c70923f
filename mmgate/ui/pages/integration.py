"""Integration tab: Integration Settings > "Route Marketing via MM API", and where the
partner's own webhooks (onboarding and template events) go."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.responses import Response

from mmgate.gateway.partner_api import MAX_URL
from mmgate.ui.context import Hub, login_required
from mmgate.ui.render import redirect, with_query


@login_required
async def integration(hub: Hub) -> Response:
    query = hub.request.query_params
    return hub.page(
        "integration.html",
        active="integration",
        saved=query.get("saved"),
        error=None,
        webhook_url=hub.partner.webhook_url or "",
    )


@login_required
async def set_routing(hub: Hub) -> Response:
    """The same effect as PATCH .../settings/marketing_templates_routing."""
    enabled = hub.form.get("enabled") == "on"
    await hub.update_partner(marketing_routing=enabled)
    return redirect(with_query("/hub/integration", saved="routing"))


@login_required
async def set_webhook(hub: Hub) -> Response:
    url = hub.form.get("webhook_url", "").strip()
    parts = urlsplit(url)
    if url and (parts.scheme not in ("http", "https") or not parts.netloc or len(url) > MAX_URL):
        return hub.page(
            "integration.html",
            400,
            active="integration",
            saved=None,
            error="The webhook URL must be an absolute http(s) URL.",
            webhook_url=url,
        )
    await hub.update_partner(webhook_url=url or None)
    return redirect(with_query("/hub/integration", saved="webhook"))
