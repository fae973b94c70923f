"""The message log with filters, and one message's timeline with the webhooks that
reported it."""

from __future__ import annotations

from starlette.responses import Response

from mmgate.domain.digits import ascii_int
from mmgate.services.bids import message_price
from mmgate.storage.port import MessageFilter
from mmgate.ui import deliveries
from mmgate.ui.context import Hub, HubRefusal, login_required
from mmgate.ui.conversation import replies_to
from mmgate.ui.message_price import price_facts
from mmgate.ui.render import parse_time
from mmgate.ui.timeline import steps

PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # past it the offset means nothing, and must stay within SQL integers
STATUSES = [
    "accepted",
    "sent_upstream",
    "sent",
    "delivered",
    "read",
    "failed",
    "expired",
    "unknown",
]
ROUTES = ["mm_api", "cloud_api"]


@login_required
async def message_log(hub: Hub) -> Response:
    q = hub.request.query_params
    channels = await hub.gateway.store.channels(hub.partner.id)
    filters = MessageFilter(
        status=q.get("status") if q.get("status") in STATUSES else None,
        route_requested=q.get("route_requested") if q.get("route_requested") in ROUTES else None,
        route_taken=q.get("route_taken") if q.get("route_taken") in [*ROUTES, "unknown"] else None,
        template_name=q.get("template") or None,
        channel_id=q.get("channel") if q.get("channel") in {c.id for c in channels} else None,
        since=parse_time(q.get("since")),
        until=parse_time(q.get("until")),
    )
    page_number = ascii_int(q.get("page", ""), low=1, high=MAX_PAGE) or 1
    found = await hub.store.hub_messages(
        hub.partner.id, filters, offset=(page_number - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1
    )
    return hub.page(
        "messages.html",
        active="messages",
        messages=found[:PAGE_SIZE],
        has_more=len(found) > PAGE_SIZE,
        page_number=page_number,
        query=dict(q.items()),
        statuses=STATUSES,
        templates=await hub.store.hub_template_names(hub.partner.id),
        channels=channels,
    )


@login_required
async def message_detail(hub: Hub) -> Response:
    wamid = hub.request.path_params["wamid"]
    message = await hub.store.hub_message(hub.partner.id, wamid)
    if message is None:
        raise HubRefusal(
            404, "Message not found", "No message with this id was sent through your channels."
        )
    relayed = await hub.store.hub_message_deliveries(hub.partner.id, wamid)
    record = await hub.gateway.store.message(message.summary.channel_id, wamid)
    price = price_facts(await message_price(hub.gateway.store, record)) if record else []
    return hub.page(
        "message.html",
        active="messages",
        m=message.summary,
        detail=message,
        steps=steps(message, hub.now),
        deliveries=[(d, await hub.gateway.store.attempts(d.id)) for d in relayed],
        summary=deliveries.summary,
        payload=deliveries.pretty_json(message.payload),
        replies=replies_to(wamid, relayed),  # the conversation: what the user answered
        price=price,  # ui/message_price.py
    )
