"""The outbox built for batches: fair claims across tenants, the "started" mark that
tells a send in doubt from one that never left, and the durable 410 hold."""

from __future__ import annotations

import pytest

from mmgate.domain import lifecycle
from mmgate.storage.port import (
    CLIENT_WEBHOOK,
    ENDPOINT_HELD,
    UPSTREAM_SEND,
    DeliveryAttempted,
    Rescheduled,
    StatusUpdate,
    Store,
    WebhookAttempt,
)
from tests.integration.storage.workspace import (
    HOOK_URL,
    HOOKED,
    NOW,
    QUIET,
    message,
    provision,
    response,
)

pytestmark = pytest.mark.anyio
LEASE = 60.0


async def test_claims_take_turns_across_tenants(store: Store) -> None:
    """A campaign's backlog on one channel does not hold back another channel's send."""
    await provision(store)
    for i in range(30):
        await store.accept(message(f"wamid.BIG{i:02d}"), response(f"wamid.BIG{i:02d}"), None)
    await store.accept(message("wamid.SMALL", channel=QUIET, at=NOW + 1), response("s"), None)
    first = await store.claim(UPSTREAM_SEND, NOW + 1, NOW + LEASE, 4)
    refs = {job.ref for job in first}
    assert "wamid.SMALL" in refs, "the small client's send is in the first batch"
    assert refs - {"wamid.SMALL"} == {"wamid.BIG00", "wamid.BIG01", "wamid.BIG02"}
    assert {job.tenant for job in first} == {HOOKED.id, QUIET.id}


async def test_a_claimed_send_that_never_started_is_not_in_doubt(store: Store) -> None:
    await provision(store)
    for wamid in ("wamid.A", "wamid.B"):
        await store.accept(message(wamid), response(wamid), None)
    a, b = await store.claim(UPSTREAM_SEND, NOW, NOW + LEASE, 10)
    assert a.started_at is None and b.started_at is None
    await store.mark_started([a], NOW)  # then the worker dies: b never left
    again = {
        job.ref: job for job in await store.claim(UPSTREAM_SEND, NOW + LEASE + 1, NOW + 200, 10)
    }
    assert again["wamid.A"].started_at == NOW  # in doubt: may have reached Meta
    assert again["wamid.B"].started_at is None  # provably never left: sent again


async def test_a_send_rescheduled_after_it_provably_failed_is_not_started(store: Store) -> None:
    await provision(store)
    await store.accept(message("wamid.A"), response("wamid.A"), None)
    (job,) = await store.claim(UPSTREAM_SEND, NOW, NOW + LEASE, 10)
    await store.mark_started([job], NOW)
    await store.record_outcomes([Rescheduled(job, NOW + 5, "connection refused")], NOW)
    (again,) = await store.claim(UPSTREAM_SEND, NOW + 5, NOW + LEASE, 10)
    assert again.started_at is None


async def test_a_410_holds_the_endpoint_durably_until_its_url_is_set_again(store: Store) -> None:
    await provision(store)
    await store.accept(message("wamid.A"), response("wamid.A"), None)
    await store.record_statuses([StatusUpdate("wamid.A", lifecycle.SENT, NOW, None, b"sent")], NOW)
    (job,) = await store.claim(CLIENT_WEBHOOK, NOW, NOW + LEASE, 10)
    gone = WebhookAttempt(job.id, HOOK_URL, NOW, 410, 2.0, "", "HTTP 410")
    await store.record_outcomes(
        [DeliveryAttempted(job, gone, done=False, retry_at=None, hold_endpoint=True)], NOW
    )
    assert await store.held_endpoints() == {HOOK_URL}
    assert ENDPOINT_HELD.startswith("endpoint answered 410")
    await store.set_channel_webhook(HOOKED.id, HOOK_URL, {})
    assert await store.held_endpoints() == set()
    await store.record_outcomes(
        [DeliveryAttempted(job, gone, done=False, retry_at=None, hold_endpoint=True)], NOW
    )
    await store.release_endpoint(HOOK_URL)
    assert await store.held_endpoints() == set()
