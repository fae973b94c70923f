"""`/v1/configs/webhook`: a channel's webhook URL and extra headers (360dialog shape)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.delivery.url_guard import check_webhook_url
from mmgate.domain.webhook_headers import HeaderRefused, check_headers
from mmgate.errors import GraphError
from mmgate.gateway.bodies import decode_json, json_body
from mmgate.gateway.channel_auth import authorised_channel
from mmgate.gateway.context import gateway_of
from mmgate.sdk.wire import (
    ChaosConfig,
    MessageEvent,
    MessageInfo,
    WebhookConfig,
    WebhookConfigRequest,
)
from mmgate.services.bids import message_price
from mmgate.storage.port import Chaos
from mmgate.web.responses import json_response


def _check(config: WebhookConfigRequest) -> None:
    if config.url is None:
        return
    try:
        check_headers(config.headers)
    except HeaderRefused as refused:
        raise GraphError(100, str(refused)) from None


async def webhook(request: Request) -> Response:
    channel = await authorised_channel(request)
    gateway = gateway_of(request)
    if request.method == "POST":
        raw = await json_body(request, gateway.settings.max_body_bytes)
        config = decode_json(raw, WebhookConfigRequest)
        _check(config)
        if config.url is not None:
            await check_webhook_url(config.url, allow_private=gateway.private_webhooks_allowed)
        chaos = Chaos(config.chaos.duplicates, config.chaos.out_of_order) if config.chaos else None
        await gateway.directory.set_channel_webhook(channel.id, config.url, config.headers, chaos)
    current = await gateway.store.channel_by_id(channel.id)
    assert current is not None
    answer = WebhookConfig(current.webhook_url, current.webhook_headers)
    if current.chaos != Chaos():
        answer.chaos = ChaosConfig(current.chaos.duplicates, current.chaos.out_of_order)
    return json_response(answer)


async def message_status(request: Request) -> Response:
    """mmgate's own read API for one message: status, route requested and taken, timeline."""
    channel = await authorised_channel(request)
    record = await gateway_of(request).store.message(channel.id, request.path_params["wamid"])
    if record is None:
        raise GraphError(100, "No message with this id on this channel.", http_status=404)
    answer = MessageInfo(
        wamid=record.wamid,
        recipient=record.recipient,
        entry_point=record.entry_point,
        type=record.type,
        template_name=record.template_name,
        category=record.category,
        route_requested=record.route_requested,
        route_taken=record.route_taken,
        status=record.status,
        ttl_seconds=record.ttl_seconds,
        expires_at=record.expires_at,
        error=record.error,
        created_at=record.created_at,
        events=[MessageEvent(s, at, d) for s, at, d in record.events],
        price=await message_price(gateway_of(request).store, record),  # services/bids.py
    )
    return json_response(answer)


routes = [
    Route("/v1/configs/webhook", webhook, methods=["GET", "POST"]),
    Route("/v1/messages/{wamid:path}", message_status, methods=["GET"]),
]
