"""Every framework-routed surface of the gateway (the send path is bare ASGI in app.py).

The Hub's pages are composed beside these in app.py: the UI depends on the gateway, not back.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from mmgate.gateway import (
    analytics_api,
    configs,
    meta_webhook,
    onboarding_page,
    openapi,
    partner_api,
    partner_spend,
    partner_webhooks,
    templates_api,
)


def routes() -> list[BaseRoute]:
    return [
        *configs.routes,
        *meta_webhook.routes,
        *partner_api.routes,
        *partner_spend.routes,  # max price: spend per client
        *partner_webhooks.routes,
        *templates_api.routes,
        *analytics_api.routes,  # max price: Meta's template analytics for the channel
        *onboarding_page.routes,
        *openapi.routes,
    ]
