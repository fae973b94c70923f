"""Meta's statuses: recorded for known messages, forward-only, relayed where a URL is set."""

from __future__ import annotations

import pytest

from mmgate.domain import lifecycle
from mmgate.storage.port import CLIENT_WEBHOOK, Chaos, StatusUpdate, Store
from tests.integration.storage.backends import scalar
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


def _status(
    wamid: str, status: str, at: float, route: str | None = None, error: str | None = None
) -> StatusUpdate:
    return StatusUpdate(wamid, status, at, route, f"{wamid}:{status}".encode(), error)


async def _accepted(store: Store, *wamids: str) -> None:
    await provision(store)
    for wamid in wamids:
        channel = QUIET if wamid.startswith("quiet") else HOOKED
        await store.accept(message(wamid, channel=channel), response(wamid), None)


async def test_only_statuses_of_known_messages_count(store: Store) -> None:
    await _accepted(store, "wamid.A")
    known = await store.record_statuses(
        [_status("wamid.A", lifecycle.SENT, NOW), _status("wamid.unknown", lifecycle.SENT, NOW)],
        NOW + 1,
    )
    assert known == 1
    assert await scalar(store, "SELECT count(*) FROM message_events") == 1
    assert await scalar(store, "SELECT count(*) FROM jobs WHERE kind = 'client_webhook'") == 1


async def test_a_status_only_moves_forward_but_every_one_is_kept(store: Store) -> None:
    await _accepted(store, "wamid.A")
    await store.record_statuses([_status("wamid.A", lifecycle.READ, NOW + 2)], NOW + 2)
    await store.record_statuses([_status("wamid.A", lifecycle.DELIVERED, NOW + 1)], NOW + 3)
    record = await store.message(HOOKED.id, "wamid.A")
    assert record is not None
    assert record.status == lifecycle.READ
    assert record.events == [(lifecycle.READ, NOW + 2, None), (lifecycle.DELIVERED, NOW + 1, None)]
    # The late `delivered` is relayed too: clients expect at-least-once, maybe out of order.
    relays = await store.claim(CLIENT_WEBHOOK, NOW + 3, NOW + 60, 10)
    assert [j.payload for j in relays] == [b"wamid.A:read"]


async def test_a_redelivered_status_is_recorded_and_relayed_once(store: Store) -> None:
    # Meta retries a webhook the gateway stored but could not answer (a crash): the client
    # must not get it twice, and the timeline must not show it twice.
    await _accepted(store, "wamid.A")
    for _ in range(2):
        await store.record_statuses([_status("wamid.A", lifecycle.SENT, NOW)], NOW + 1)
    await store.record_statuses([_status("wamid.A", lifecycle.DELIVERED, NOW + 1)], NOW + 2)
    await store.record_statuses([_status("wamid.A", lifecycle.DELIVERED, NOW + 1)], NOW + 3)
    assert await scalar(store, "SELECT count(*) FROM message_events") == 2
    assert await scalar(store, "SELECT count(*) FROM jobs WHERE kind = 'client_webhook'") == 2


async def test_the_route_taken_is_learnt_once(store: Store) -> None:
    await _accepted(store, "wamid.A")
    await store.record_statuses([_status("wamid.A", lifecycle.SENT, NOW, route=None)], NOW)
    await store.record_statuses(
        [_status("wamid.A", lifecycle.DELIVERED, NOW, "marketing_lite")], NOW
    )
    await store.record_statuses([_status("wamid.A", lifecycle.READ, NOW, "marketing")], NOW)
    record = await store.message(HOOKED.id, "wamid.A")
    assert record is not None and record.route_taken == "marketing_lite"


async def test_a_failure_keeps_its_error_and_a_later_status_does_not_erase_it(store: Store) -> None:
    await _accepted(store, "wamid.A")
    await store.record_statuses([_status("wamid.A", lifecycle.FAILED, NOW, error="131049")], NOW)
    await store.record_statuses([_status("wamid.A", lifecycle.SENT, NOW + 1)], NOW + 1)
    record = await store.message(HOOKED.id, "wamid.A")
    assert record is not None
    assert (record.status, record.error) == (lifecycle.FAILED, "131049")
    assert record.events == [(lifecycle.FAILED, NOW, "131049"), (lifecycle.SENT, NOW + 1, None)]


async def test_statuses_are_relayed_only_where_the_channel_has_a_webhook_url(store: Store) -> None:
    await _accepted(store, "wamid.A", "quiet.B")
    known = await store.record_statuses(
        [_status("wamid.A", lifecycle.SENT, NOW), _status("quiet.B", lifecycle.SENT, NOW)], NOW
    )
    assert known == 2
    relays = await store.claim(CLIENT_WEBHOOK, NOW, NOW + 60, 10)
    assert [(j.ref, j.ordering_key, j.payload) for j in relays] == [
        (HOOKED.id, "wamid.A", b"wamid.A:sent")
    ]
    quiet = await store.message(QUIET.id, "quiet.B")
    assert quiet is not None and quiet.status == lifecycle.SENT


async def test_a_chaos_channel_gets_its_statuses_unordered_and_a_little_late(store: Store) -> None:
    await _accepted(store, "wamid.A")
    await store.set_channel_webhook(HOOKED.id, HOOK_URL, {}, Chaos(out_of_order=True))
    await store.record_statuses(
        [_status("wamid.A", lifecycle.SENT, NOW), _status("wamid.A", lifecycle.DELIVERED, NOW)],
        NOW,
    )
    relays = await store.claim(CLIENT_WEBHOOK, NOW + 3, NOW + 60, 10)
    assert sorted(j.payload or b"" for j in relays) == [b"wamid.A:delivered", b"wamid.A:sent"]
    assert all(j.ordering_key is None for j in relays)
    assert not await store.due(CLIENT_WEBHOOK, NOW - 0.001)
