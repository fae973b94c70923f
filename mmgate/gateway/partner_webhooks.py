"""Partner API for webhook delivery: the log with every attempt, replay, endpoint
health, and signing-secret rotation."""

from __future__ import annotations

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.errors import Refusal
from mmgate.gateway.context import gateway_of
from mmgate.gateway.partner_auth import PREFIX, authorised_partner, decode_body, envelope
from mmgate.ids import new_secret
from mmgate.sdk import wire_partner as wire
from mmgate.storage.port import Partner, WebhookDelivery

STATES = frozenset({"pending", "done", "failed"})
MAX_ID = 2**63 - 1  # job ids are 64-bit; a larger number names no delivery (found by fuzzing)


def _delivery(d: WebhookDelivery) -> wire.Delivery:
    return wire.Delivery(
        id=d.id,
        target="partner" if d.kind == "partner_webhook" else "channel",
        channel_id=d.ref if d.kind == "client_webhook" else None,
        ordering_key=d.ordering_key,
        state=d.state,
        attempts=d.attempts,
        next_attempt_at=d.run_at if d.state == "pending" else None,
        created_at=d.created_at,
        last_error=d.last_error,
        payload=msgspec.json.decode(d.payload) if d.payload else None,
    )


async def deliveries(request: Request) -> Response:
    partner = await authorised_partner(request)
    q = request.query_params
    state = q.get("state")
    if state is not None and state not in STATES:
        raise Refusal(400, f"state must be one of {sorted(STATES)}")
    try:
        since = float(q["since"]) if "since" in q else None
        limit = max(0, min(int(q.get("limit", "100")), 1000))
    except ValueError:
        raise Refusal(400, "since must be a unix time and limit an integer") from None
    found = await gateway_of(request).store.webhook_deliveries(
        partner.id, state=state, channel_id=q.get("channel_id"), since=since, limit=limit
    )
    return envelope(wire.DeliveryList(len(found), [_delivery(d) for d in found]))


async def attempts(request: Request) -> Response:
    partner = await authorised_partner(request)
    job_id: int = request.path_params["delivery_id"]
    gateway = gateway_of(request)
    delivery = (
        await gateway.store.webhook_delivery(partner.id, job_id) if job_id <= MAX_ID else None
    )
    if delivery is None:
        raise Refusal(404, "No such delivery for this partner.")
    found = await gateway.store.attempts(job_id)
    attempts = [
        wire.Attempt(
            at=a.at,
            url=a.url,
            status_code=a.status_code,
            duration_ms=round(a.duration_ms, 2),
            response_excerpt=a.response_excerpt,
            error=a.error,
        )
        for a in found
    ]
    return envelope(wire.DeliveryAttempts(_delivery(delivery), attempts))


async def _partner_urls(request: Request, partner: Partner) -> set[str]:
    channels = await gateway_of(request).store.channels(partner.id)
    urls = {ch.webhook_url for ch in channels if ch.webhook_url}
    if partner.webhook_url:
        urls.add(partner.webhook_url)
    return urls


async def replay_one(request: Request) -> Response:
    partner = await authorised_partner(request)
    gateway = gateway_of(request)
    job_id: int = request.path_params["delivery_id"]
    if job_id > MAX_ID or not await gateway.store.replay_delivery(
        partner.id, job_id, gateway.clock.now()
    ):
        raise Refusal(404, "No finished delivery with this id for this partner.")
    gateway.endpoints.resume(await _partner_urls(request, partner))
    gateway.wake_relay()
    return envelope(wire.Replayed(1))


async def replay_failed(request: Request) -> Response:
    partner = await authorised_partner(request)
    body = await decode_body(request, wire.ReplayFailed)
    gateway = gateway_of(request)
    count = await gateway.store.replay_failed(
        partner.id, channel_id=body.channel_id, since=body.since, now=gateway.clock.now()
    )
    gateway.endpoints.resume(await _partner_urls(request, partner))
    gateway.wake_relay()
    return envelope(wire.Replayed(count))


async def endpoints(request: Request) -> Response:
    partner = await authorised_partner(request)
    gateway = gateway_of(request)
    urls = await _partner_urls(request, partner)
    now = gateway.clock.now()
    health = [gateway.endpoints.get(url).as_dict(now) for url in sorted(urls)]
    return envelope(wire.Endpoints(msgspec.convert(health, list[wire.Endpoint])))


async def rotate_secret(request: Request) -> Response:
    partner = await authorised_partner(request)
    rotation = await decode_body(request, wire.SecretRotation)
    gateway = gateway_of(request)
    until = gateway.clock.now() + max(0.0, rotation.overlap_seconds)
    secret = new_secret()
    await gateway.directory.rotate_webhook_secret(partner.id, secret, until)
    return envelope(wire.NewWebhookSecret(secret, until))


routes = [
    Route(PREFIX + "/webhook_deliveries", deliveries, methods=["GET"]),
    Route(PREFIX + "/webhook_deliveries/replay", replay_failed, methods=["POST"]),
    Route(PREFIX + "/webhook_deliveries/{delivery_id:int}", attempts, methods=["GET"]),
    Route(PREFIX + "/webhook_deliveries/{delivery_id:int}/replay", replay_one, methods=["POST"]),
    Route(PREFIX + "/webhook_endpoints", endpoints, methods=["GET"]),
    Route(PREFIX + "/webhook_secret/rotate", rotate_secret, methods=["POST"]),
]
