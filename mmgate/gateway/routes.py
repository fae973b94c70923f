"""Every framework-routed surface of the gateway (the send path is bare ASGI in app.py)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from mmgate.gateway import (
    configs,
    meta_webhook,
    onboarding_page,
    openapi,
    partner_api,
    partner_webhooks,
    templates_api,
)
from mmgate.ui import hub


def routes() -> list[BaseRoute]:
    return [
        *configs.routes,
        *meta_webhook.routes,
        *partner_api.routes,
        *partner_webhooks.routes,
        *templates_api.routes,
        *onboarding_page.routes,
        *openapi.routes,
        *hub.routes(),
    ]
