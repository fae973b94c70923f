"""The Partner Hub's routes, mounted at /hub: `routes()` is what the gateway registers."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from mmgate.ui import login
from mmgate.ui.pages import (
    analytics,
    channels,
    clients,
    integration,
    messages,
    overview,
    spend,
    webhooks,
)

STATIC = Path(__file__).parent / "static"


def routes() -> list[BaseRoute]:
    return [
        Mount(
            "/hub",
            routes=[
                Route("/", overview.overview),
                Route("/login", login.login_form, methods=["GET"]),
                Route("/login", login.login, methods=["POST"]),
                Route("/logout", login.logout, methods=["POST"]),
                Route("/integration", integration.integration),
                Route("/integration/routing", integration.set_routing, methods=["POST"]),
                Route("/integration/webhook", integration.set_webhook, methods=["POST"]),
                Route("/clients", clients.clients),
                Route("/channels", channels.channels),
                Route("/channels/{channel_id}/keys", channels.create_key, methods=["POST"]),
                Route("/keys/revoke", channels.revoke_key, methods=["POST"]),
                Route("/messages", messages.message_log),
                Route("/messages/{wamid:path}", messages.message_detail),
                Route("/webhooks", webhooks.webhook_log),
                Route("/webhooks/replay", webhooks.replay_failed, methods=["POST"]),
                Route("/webhooks/{delivery_id:int}", webhooks.webhook_detail),
                Route("/webhooks/{delivery_id:int}/replay", webhooks.replay_one, methods=["POST"]),
                Route("/analytics", analytics.analytics_page),
                Route("/spend", spend.spend_page),  # max price: spend, bids, reach estimate
                Route("/spend/bid", spend.set_bid, methods=["POST"]),
                Mount("/static", StaticFiles(directory=STATIC), name="hub-static"),
            ],
        )
    ]
