"""Clients: each business portfolio, its WABAs and their MM API onboarding status as the
gateway last learnt it from Meta, with the channels of each WABA."""

from __future__ import annotations

import asyncio

from starlette.responses import Response

from mmgate.storage.port import Channel
from mmgate.ui.context import Hub, login_required

MAX_LOOK_UPS = 50  # per page view: a partner with many unknown WABAs fills in over views


@login_required
async def clients(hub: Hub) -> Response:
    found = await hub.gateway.store.clients(hub.partner.id)
    unknown = [w.id for c in found for w in c.wabas if w.mm_status is None][:MAX_LOOK_UPS]
    if unknown:
        # Meta knows every WABA's status (also why one is not eligible): ask it for the
        # ones no webhook or send has told us about, instead of showing "Not known yet".
        await asyncio.gather(*(hub.gateway.wabas.get(waba_id) for waba_id in unknown))
        found = await hub.gateway.store.clients(hub.partner.id)
    by_waba: dict[str, list[Channel]] = {}
    for channel in await hub.gateway.store.channels(hub.partner.id):
        by_waba.setdefault(channel.waba_id, []).append(channel)
    return hub.page("clients.html", active="clients", clients=found, channels=by_waba)
