"""The webhook log: every delivery to the partner's and its channels' webhook URLs with
each attempt, replay of one delivery or of every failed one, and endpoint health."""

from __future__ import annotations

from starlette.responses import Response

from mmgate.domain.digits import MAX_SQL_INT as MAX_ID
from mmgate.domain.digits import ascii_int
from mmgate.storage.port import WebhookDelivery
from mmgate.ui import deliveries
from mmgate.ui.context import Hub, HubRefusal, login_required
from mmgate.ui.render import datetime_local, local_path, parse_time, redirect, with_query

# "retrying": pending after at least one failed attempt. A delivery is only "failed" once
# its retries are over (7 days), so the failures happening now are found under this one.
STATES = ["pending", "retrying", "done", "failed"]
PARTNER_TARGET = "partner"
PAGE_SIZE = 100
MAX_PAGE = 50  # the store answers newest first; a page past this is refined by "since"
DEFAULT_REPLAY_DAYS = 7


@login_required
async def webhook_log(hub: Hub) -> Response:
    q = hub.request.query_params
    channels = await hub.gateway.store.channels(hub.partner.id)
    target = q.get("target")
    channel_id = target if target in {c.id for c in channels} else None
    state = q.get("state") if q.get("state") in STATES else None
    page_number = ascii_int(q.get("page", ""), low=1, high=MAX_PAGE) or 1
    found = await hub.gateway.store.webhook_deliveries(
        hub.partner.id,
        state="pending" if state == "retrying" else state,
        channel_id=channel_id,
        since=parse_time(q.get("since")),
        limit=page_number * PAGE_SIZE + 1,
    )
    if state == "retrying":
        found = [d for d in found if d.attempts > 0]
    if target == PARTNER_TARGET:
        found = [d for d in found if d.kind == "partner_webhook"]
    has_more = len(found) > page_number * PAGE_SIZE and page_number < MAX_PAGE
    found = found[(page_number - 1) * PAGE_SIZE : page_number * PAGE_SIZE]
    urls = sorted(await _urls(hub))
    now = hub.now
    return hub.page(
        "webhooks.html",
        active="webhooks",
        deliveries=found,
        channels={c.id: c for c in channels},
        query=dict(q.items()),
        states=STATES,
        health=[hub.gateway.endpoints.get(url).as_dict(now) for url in urls],
        summary=deliveries.summary,
        replayed=q.get("replayed"),
        replay_since=datetime_local(now - DEFAULT_REPLAY_DAYS * 86_400),
        page_number=page_number,
        has_more=has_more,
    )


@login_required
async def webhook_detail(hub: Hub) -> Response:
    delivery = await _delivery(hub)
    if delivery is None:
        raise _not_found()
    return hub.page(
        "webhook.html",
        active="webhooks",
        d=delivery,
        attempts=await hub.gateway.store.attempts(delivery.id),
        summary=deliveries.summary(delivery.payload),
        wamids=deliveries.wamids(delivery.payload),
        target=deliveries.target(delivery),
        payload=deliveries.pretty_json(delivery.payload),
        replayed=hub.request.query_params.get("replayed"),
    )


@login_required
async def replay_one(hub: Hub) -> Response:
    job_id = int(hub.request.path_params["delivery_id"])
    if job_id > MAX_ID or not await hub.gateway.store.replay_delivery(
        hub.partner.id, job_id, hub.now
    ):
        raise _not_found()
    await _resume(hub)
    back = local_path(hub.form.get("next")) or f"/hub/webhooks/{job_id}"
    return redirect(with_query(back, replayed="1"))


@login_required
async def replay_failed(hub: Hub) -> Response:
    since = parse_time(hub.form.get("since")) or hub.now - DEFAULT_REPLAY_DAYS * 86_400
    channel_id = hub.form.get("channel") or None
    if channel_id is not None and channel_id not in {
        c.id for c in await hub.gateway.store.channels(hub.partner.id)
    }:
        raise HubRefusal(404, "No such channel", "This channel is not yours.")
    count = await hub.gateway.store.replay_failed(
        hub.partner.id, channel_id=channel_id, since=since, now=hub.now
    )
    await _resume(hub)
    return redirect(with_query("/hub/webhooks", replayed=str(count)))


async def _delivery(hub: Hub) -> WebhookDelivery | None:
    job_id = int(hub.request.path_params["delivery_id"])
    if job_id > MAX_ID:  # past SQL's integers: no such delivery
        return None
    return await hub.gateway.store.webhook_delivery(hub.partner.id, job_id)


def _not_found() -> HubRefusal:
    return HubRefusal(
        404,
        "Delivery not found",
        "No finished webhook delivery with this id belongs to your account.",
    )


async def _urls(hub: Hub) -> set[str]:
    """The webhook URLs of the partner and its channels."""
    channels = await hub.gateway.store.channels(hub.partner.id)
    urls = {c.webhook_url for c in channels if c.webhook_url}
    return urls | ({hub.partner.webhook_url} if hub.partner.webhook_url else set())


async def _resume(hub: Hub) -> None:
    """A replay is the operator saying "the receiver is fixed": endpoints held after a
    410 or backing off take traffic again (as the Partner API's replay does)."""
    hub.gateway.endpoints.resume(await _urls(hub))
    hub.gateway.wake_relay()
