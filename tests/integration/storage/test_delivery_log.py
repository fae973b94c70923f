"""The webhook log a partner sees, and replaying deliveries."""

from __future__ import annotations

import pytest

from mmgate.domain import lifecycle
from mmgate.storage.port import (
    CLIENT_WEBHOOK,
    PARTNER_WEBHOOK,
    DeliveryAttempted,
    StatusUpdate,
    Store,
    WebhookAttempt,
)
from tests.integration.storage.workspace import (
    HOOK_URL,
    HOOKED,
    NOW,
    PARTNER,
    message,
    provision,
    response,
)

pytestmark = pytest.mark.anyio


async def _two_deliveries(store: Store) -> tuple[int, int]:
    """A delivered status and a failed one, both on the hooked channel."""
    await provision(store)
    for wamid in ("wamid.A", "wamid.B"):
        await store.accept(message(wamid), response(wamid), None)
        await store.record_statuses(
            [StatusUpdate(wamid, lifecycle.SENT, NOW, None, wamid.encode())], NOW
        )
    done, failed = await store.claim(CLIENT_WEBHOOK, NOW, NOW + 60, 10)
    attempt = WebhookAttempt(done.id, HOOK_URL, NOW, 200, 3.0, "ok", None)
    await store.record_outcomes([DeliveryAttempted(done, attempt, done=True, retry_at=None)], NOW)
    attempt = WebhookAttempt(failed.id, HOOK_URL, NOW, 500, 3.0, None, "HTTP 500")
    await store.record_outcomes(
        [DeliveryAttempted(failed, attempt, done=False, retry_at=None)], NOW
    )
    return done.id, failed.id


async def test_the_log_lists_a_partners_deliveries_newest_first(store: Store) -> None:
    done, failed = await _two_deliveries(store)
    await store.update_partner(PARTNER.id, webhook_url="https://partner.example")
    assert await store.record_partner_event(PARTNER.id, b"account_update", "200001", NOW + 1)

    log = await store.webhook_deliveries(PARTNER.id)
    assert [(d.kind, d.state) for d in log] == [
        (PARTNER_WEBHOOK, "pending"),
        (CLIENT_WEBHOOK, "failed"),
        (CLIENT_WEBHOOK, "done"),
    ]
    assert [d.id for d in await store.webhook_deliveries(PARTNER.id, state="failed")] == [failed]
    only_channel = await store.webhook_deliveries(PARTNER.id, channel_id=HOOKED.id, limit=1)
    assert [d.id for d in only_channel] == [failed]
    assert [d.kind for d in await store.webhook_deliveries(PARTNER.id, since=NOW + 1)] == [
        PARTNER_WEBHOOK
    ]
    assert await store.webhook_deliveries("pt_other") == []

    one = await store.webhook_delivery(PARTNER.id, done)
    assert one is not None
    assert (one.ref, one.ordering_key, one.attempts, one.payload) == (
        HOOKED.id,
        "wamid.A",
        1,
        b"wamid.A",
    )
    assert await store.webhook_delivery("pt_other", done) is None


async def test_events_are_queued_only_for_a_party_with_a_webhook_url(store: Store) -> None:
    await provision(store)
    assert not await store.record_partner_event(PARTNER.id, b"event", None, NOW)
    assert await store.record_channel_event(HOOKED.id, b"event", NOW)
    await store.set_channel_webhook(HOOKED.id, None, {})
    assert not await store.record_channel_event(HOOKED.id, b"event", NOW)
    assert not await store.record_channel_event("nope", b"event", NOW)


async def test_replaying_a_delivery_reopens_it_in_place(store: Store) -> None:
    done, failed = await _two_deliveries(store)
    assert await store.replay_delivery(PARTNER.id, failed, NOW + 5)
    assert await store.replay_delivery(PARTNER.id, done, NOW + 5)
    assert not await store.replay_delivery("pt_other", done, NOW + 5)
    assert not await store.replay_delivery(PARTNER.id, done, NOW + 6)  # pending again already

    reopened = await store.webhook_delivery(PARTNER.id, failed)
    assert reopened is not None
    assert (reopened.state, reopened.last_error, reopened.created_at, reopened.run_at) == (
        "pending",
        "replayed",
        NOW + 5,
        NOW + 5,
    )
    again = await store.claim(CLIENT_WEBHOOK, NOW + 5, NOW + 60, 10)
    assert [(j.id, j.attempts, j.last_error) for j in again] == [
        (done, 2, "replayed"),
        (failed, 2, "replayed"),
    ]
    assert [a.status_code for a in await store.attempts(failed)] == [500]  # history kept


async def test_replaying_all_failed_never_replays_one_twice(store: Store) -> None:
    done, failed = await _two_deliveries(store)
    assert await store.replay_failed(PARTNER.id, channel_id=None, since=NOW + 1, now=NOW + 5) == 0
    replayed = await store.replay_failed(PARTNER.id, channel_id=None, since=NOW, now=NOW + 5)
    assert replayed == 1
    assert await store.replay_failed(PARTNER.id, channel_id=HOOKED.id, since=NOW, now=NOW + 6) == 0
    assert [j.id for j in await store.claim(CLIENT_WEBHOOK, NOW + 6, NOW + 60, 10)] == [failed]
    untouched = await store.webhook_delivery(PARTNER.id, done)
    assert untouched is not None and untouched.state == "done"
