"""Integration tab: Integration Settings > "Route Marketing via MM API", and where the
partner's own webhooks (onboarding and template events) go."""

from __future__ import annotations

from starlette.responses import Response

from mmgate.delivery.url_guard import check_webhook_url
from mmgate.errors import GraphError
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
    if url:
        try:  # the same guard as the Partner API (private addresses refused in production)
            await check_webhook_url(url, allow_private=hub.gateway.private_webhooks_allowed)
        except GraphError as error:
            return hub.page(
                "integration.html",
                400,
                active="integration",
                saved=None,
                error=f"Webhook URL refused: {error.details}",
                webhook_url=url,
            )
    await hub.update_partner(webhook_url=url or None)
    return redirect(with_query("/hub/integration", saved="webhook"))
