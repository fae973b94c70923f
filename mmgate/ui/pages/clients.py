"""Clients: each business portfolio, its WABAs and their MM API onboarding status as the
gateway last learnt it from Meta, with the channels of each WABA."""

from __future__ import annotations

from starlette.responses import Response

from mmgate.storage.port import Channel
from mmgate.ui.context import Hub, login_required


@login_required
async def clients(hub: Hub) -> Response:
    found = await hub.gateway.store.clients(hub.partner.id)
    by_waba: dict[str, list[Channel]] = {}
    for channel in await hub.gateway.store.channels(hub.partner.id):
        by_waba.setdefault(channel.waba_id, []).append(channel)
    return hub.page("clients.html", active="clients", clients=found, channels=by_waba)
