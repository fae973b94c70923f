"""Accept: the message and its outbox job in one commit, idempotency, group-commit isolation."""

from __future__ import annotations

import asyncio
import sqlite3

import asyncpg
import pytest

from mmgate.domain import lifecycle
from mmgate.storage.port import (
    CLIENT_WEBHOOK,
    UPSTREAM_SEND,
    AcceptOutcome,
    IdempotencyClaim,
    Overdue,
    SendSettled,
    StatusUpdate,
    Store,
)
from mmgate.storage.postgres.store import PostgresStore
from tests.integration.storage.backends import scalar
from tests.integration.storage.workspace import HOOKED, NOW, QUIET, message, provision, response

pytestmark = pytest.mark.anyio

DUPLICATE_ROW = (sqlite3.IntegrityError, asyncpg.UniqueViolationError)


async def test_accept_writes_one_message_and_one_upstream_job(store: Store) -> None:
    await provision(store)
    outcome = await store.accept(message("wamid.A"), response("wamid.A"), None)
    assert outcome == AcceptOutcome(response("wamid.A"), replayed=False)

    assert await scalar(store, "SELECT count(*) FROM messages") == 1
    jobs = await store.claim(UPSTREAM_SEND, NOW, NOW + 60, 10)
    assert [(j.kind, j.ref, j.payload, j.attempts) for j in jobs] == [
        (UPSTREAM_SEND, "wamid.A", message("wamid.A").upstream, 1)
    ]
    assert jobs[0].created_at == NOW and jobs[0].ordering_key is None


async def test_an_accepted_message_reads_back_with_an_empty_timeline(store: Store) -> None:
    await provision(store)
    await store.accept(message("wamid.A"), response("wamid.A"), None)
    record = await store.message(HOOKED.id, "wamid.A")
    assert record is not None
    sent = message("wamid.A")
    assert (record.wamid, record.recipient, record.template_name, record.category) == (
        "wamid.A",
        sent.recipient,
        sent.template_name,
        sent.category,
    )
    assert (record.status, record.route_requested, record.route_taken) == (
        lifecycle.ACCEPTED,
        "marketing_lite",
        None,
    )
    assert (record.ttl_seconds, record.expires_at, record.created_at) == (86_400, NOW + 86_400, NOW)
    assert record.events == []
    assert await store.message(QUIET.id, "wamid.A") is None  # another channel's message


async def test_a_retried_send_replays_the_first_answer(store: Store) -> None:
    await provision(store)
    claim = IdempotencyClaim("order-42", "hash-1")
    first = await store.accept(message("wamid.A"), response("wamid.A"), claim)
    again = await store.accept(message("wamid.B"), response("wamid.B"), claim)
    assert first == AcceptOutcome(response("wamid.A"), replayed=False)
    assert again == AcceptOutcome(response("wamid.A"), replayed=True, conflict=False)
    assert await scalar(store, "SELECT count(*) FROM messages") == 1
    assert len(await store.claim(UPSTREAM_SEND, NOW, NOW + 60, 10)) == 1


async def test_the_same_key_with_another_request_is_a_conflict(store: Store) -> None:
    await provision(store)
    await store.accept(message("wamid.A"), response("wamid.A"), IdempotencyClaim("k", "hash-1"))
    clash = await store.accept(
        message("wamid.B"), response("wamid.B"), IdempotencyClaim("k", "hash-2")
    )
    assert clash == AcceptOutcome(response("wamid.A"), replayed=True, conflict=True)
    assert await store.message(HOOKED.id, "wamid.B") is None


async def test_idempotency_keys_belong_to_one_channel(store: Store) -> None:
    await provision(store)
    claim = IdempotencyClaim("k", "hash-1")
    await store.accept(message("wamid.A"), response("wamid.A"), claim)
    other = await store.accept(message("wamid.B", channel=QUIET), response("wamid.B"), claim)
    assert other == AcceptOutcome(response("wamid.B"), replayed=False)


async def test_concurrent_sends_with_one_key_write_one_message(store: Store) -> None:
    await provision(store)
    claims = [IdempotencyClaim("k", "hash-1")] * 5
    outcomes = await asyncio.gather(
        *(
            store.accept(message(f"wamid.{i}"), response(f"wamid.{i}"), claim)
            for i, claim in enumerate(claims)
        )
    )
    assert [o.replayed for o in outcomes].count(False) == 1
    first = next(o.response for o in outcomes if not o.replayed)
    assert all(o.response == first and not o.conflict for o in outcomes)
    assert await scalar(store, "SELECT count(*) FROM messages") == 1


async def test_a_failing_send_in_a_group_commit_spares_its_neighbours(store: Store) -> None:
    await provision(store)
    await store.accept(message("wamid.taken"), response("wamid.taken"), None)
    # Queued together, these land in one group commit: the middle one reuses a wamid.
    results = await asyncio.gather(
        store.accept(message("wamid.A"), response("wamid.A"), IdempotencyClaim("ka", "h")),
        store.accept(message("wamid.taken"), response("x"), IdempotencyClaim("kb", "h")),
        store.accept(message("wamid.C"), response("wamid.C"), None),
        return_exceptions=True,
    )
    assert results[0] == AcceptOutcome(response("wamid.A"), replayed=False)
    assert isinstance(results[1], DUPLICATE_ROW)
    assert results[2] == AcceptOutcome(response("wamid.C"), replayed=False)
    if isinstance(store, PostgresStore):
        assert store.db.writer_stats.one_by_one >= 1  # the batch was written again, item by item

    # No partial write of the failed send: its idempotency key is still free.
    retry = await store.accept(message("wamid.D"), response("wamid.D"), IdempotencyClaim("kb", "h"))
    assert retry == AcceptOutcome(response("wamid.D"), replayed=False)
    assert await scalar(store, "SELECT count(*) FROM messages") == 4
    assert await scalar(store, "SELECT count(*) FROM jobs") == 4


def _expiry_body(overdue: Overdue) -> bytes:
    """A relay body that shows what the store read of the overdue message. Module-level:
    it runs inside the write, which may be in the SQLite writer process."""
    return f"expired:{overdue.wamid}:{overdue.status}:{overdue.phone_number_id}".encode()


async def test_messages_not_delivered_within_their_ttl_expire(store: Store) -> None:
    await provision(store)
    for wamid in ("wamid.OPEN", "wamid.DONE", "wamid.LATER"):
        at = NOW + (10 if wamid == "wamid.LATER" else 0)
        await store.accept(message(wamid, at=at), response(wamid), None)
    await store.record_statuses([_status("wamid.DONE", lifecycle.DELIVERED)], NOW)

    assert await store.expire_overdue(NOW + 86_400, 100, _expiry_body) == 1  # OPEN only
    assert await store.expire_overdue(NOW + 86_400, 100, _expiry_body) == 0  # nothing twice
    # What the relay built from the overdue message goes to the channel in the same write.
    relays = await store.claim(CLIENT_WEBHOOK, NOW + 86_400, NOW + 90_000, 9)
    opened = f"expired:wamid.OPEN:{lifecycle.ACCEPTED}:{HOOKED.phone_number_id}".encode()
    assert [j.payload for j in relays] == [b"{}", opened]  # DONE's, OPEN's
    open_message = await store.message(HOOKED.id, "wamid.OPEN")
    assert open_message is not None and open_message.status == lifecycle.EXPIRED
    assert [e[0] for e in open_message.events] == [lifecycle.EXPIRED]
    done = await store.message(HOOKED.id, "wamid.DONE")
    assert done is not None and done.status == lifecycle.DELIVERED
    later = await store.message(HOOKED.id, "wamid.LATER")
    assert later is not None and later.status == lifecycle.ACCEPTED
    # A late `delivered` never revives an expired message.
    await store.record_statuses([_status("wamid.OPEN", lifecycle.DELIVERED)], NOW + 90_000)
    revived = await store.message(HOOKED.id, "wamid.OPEN")
    assert revived is not None and revived.status == lifecycle.EXPIRED


async def test_a_settle_never_moves_a_delivered_or_read_message_back(store: Store) -> None:
    """A crash case: a send in doubt (lease expiry) settles `unknown` after the user read
    it; the TTL then passes. The message stays `read`, with no event of either."""
    await provision(store)
    await store.accept(message("wamid.A"), response("wamid.A"), None)
    (job,) = await store.claim(UPSTREAM_SEND, NOW, NOW + 60, 10)
    await store.record_statuses([_status("wamid.A", lifecycle.READ)], NOW + 1)
    await store.record_outcomes([SendSettled(job, lifecycle.UNKNOWN, "in doubt", None)], NOW + 2)
    assert await store.expire_overdue(NOW + 86_400 * 40, 100, _expiry_body) == 0
    record = await store.message(HOOKED.id, "wamid.A")
    assert record is not None and record.status == lifecycle.READ
    assert [e[0] for e in record.events] == [lifecycle.READ]


def _status(wamid: str, status: str) -> StatusUpdate:
    return StatusUpdate(wamid=wamid, status=status, at=NOW, route_taken=None, relay_body=b"{}")
