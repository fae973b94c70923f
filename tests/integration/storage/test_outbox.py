"""The outbox: leases, expiry, per-key ordering, and what settles a job."""

from __future__ import annotations

import pytest

from mmgate.domain import lifecycle
from mmgate.storage.port import (
    CLIENT_WEBHOOK,
    LEASE_EXPIRED,
    UPSTREAM_SEND,
    DeliveryAttempted,
    Job,
    Rescheduled,
    SendAccepted,
    SendSettled,
    StatusUpdate,
    Store,
    WebhookAttempt,
)
from tests.integration.storage.workspace import HOOK_URL, HOOKED, NOW, message, provision, response

pytestmark = pytest.mark.anyio
LEASE = 60.0


async def _accepted(store: Store, *wamids: str, at: float = NOW) -> None:
    await provision(store)
    for wamid in wamids:
        await store.accept(message(wamid, at=at), response(wamid), None)


async def _claim(store: Store, kind: str, now: float, limit: int = 10) -> list[Job]:
    return await store.claim(kind, now, now + LEASE, limit)


def _status(wamid: str, status: str, at: float = NOW, route: str | None = None) -> StatusUpdate:
    return StatusUpdate(wamid, status, at, route, f"{wamid}:{status}".encode())


def _attempt(job: Job, at: float, status_code: int | None, error: str | None) -> WebhookAttempt:
    return WebhookAttempt(
        job.id, HOOK_URL, at, status_code, 12.5, "ok" if error is None else None, error
    )


async def test_a_leased_job_is_not_claimed_again_while_the_lease_holds(store: Store) -> None:
    await _accepted(store, "wamid.A", "wamid.B", "wamid.C")
    first = await _claim(store, UPSTREAM_SEND, NOW, limit=2)
    assert [j.ref for j in first] == ["wamid.A", "wamid.B"]
    second = await _claim(store, UPSTREAM_SEND, NOW + 1)
    assert [j.ref for j in second] == ["wamid.C"]
    assert await _claim(store, UPSTREAM_SEND, NOW + LEASE) == []  # leases end after NOW + LEASE


async def test_a_job_is_not_claimed_before_it_is_due(store: Store) -> None:
    await _accepted(store, "wamid.A", at=NOW + 30)
    assert await _claim(store, UPSTREAM_SEND, NOW) == []
    assert not await store.due(UPSTREAM_SEND, NOW)
    assert await store.due(UPSTREAM_SEND, NOW + 30)
    assert not await store.due(CLIENT_WEBHOOK, NOW + 30)
    assert [j.ref for j in await _claim(store, UPSTREAM_SEND, NOW + 30)] == ["wamid.A"]


async def test_due_follows_the_claim_rules(store: Store) -> None:
    await _accepted(store, "wamid.A")
    await store.record_statuses(
        [_status("wamid.A", lifecycle.SENT), _status("wamid.A", lifecycle.DELIVERED)], NOW
    )
    await _claim(store, UPSTREAM_SEND, NOW)
    assert not await store.due(UPSTREAM_SEND, NOW)  # leased
    assert await store.due(UPSTREAM_SEND, NOW + LEASE + 1)  # its lease expired
    (sent,) = await _claim(store, CLIENT_WEBHOOK, NOW)
    assert not await store.due(CLIENT_WEBHOOK, NOW)  # `delivered` waits behind `sent`
    await store.record_outcomes(
        [DeliveryAttempted(sent, _attempt(sent, NOW, 200, None), done=True, retry_at=None)], NOW
    )
    assert await store.due(CLIENT_WEBHOOK, NOW)


async def test_an_expired_lease_brings_the_job_back_marked(store: Store) -> None:
    await _accepted(store, "wamid.A")
    (first,) = await _claim(store, UPSTREAM_SEND, NOW)
    assert first.last_error is None and first.attempts == 1
    (again,) = await _claim(store, UPSTREAM_SEND, NOW + LEASE + 1)
    assert (again.id, again.attempts, again.last_error) == (first.id, 2, LEASE_EXPIRED)


async def test_a_rescheduled_job_comes_back_at_its_time_not_as_expired(store: Store) -> None:
    await _accepted(store, "wamid.A")
    (job,) = await _claim(store, UPSTREAM_SEND, NOW)
    await store.record_outcomes([Rescheduled(job, NOW + 10, "upstream 503")], NOW)
    assert await _claim(store, UPSTREAM_SEND, NOW + 9) == []
    (again,) = await _claim(store, UPSTREAM_SEND, NOW + 10)
    assert (again.id, again.attempts, again.last_error) == (job.id, 2, "upstream 503")


async def test_upstream_accepted_finishes_the_job_and_records_meta_wamid(store: Store) -> None:
    await _accepted(store, "wamid.A")
    (job,) = await _claim(store, UPSTREAM_SEND, NOW)
    await store.record_outcomes([SendAccepted(job, "wamid.META")], NOW + 1)
    assert await _claim(store, UPSTREAM_SEND, NOW + LEASE + 1) == []  # gone, not leased
    assert await store.wamid_for_meta("wamid.META") == "wamid.A"
    assert await store.wamid_for_meta("wamid.other") is None
    record = await store.message(HOOKED.id, "wamid.A")
    assert record is not None
    assert (record.status, record.meta_wamid) == (lifecycle.SENT_UPSTREAM, "wamid.META")
    assert record.events == [(lifecycle.SENT_UPSTREAM, NOW + 1, "wamid.META")]


async def test_upstream_accepted_never_moves_a_status_back(store: Store) -> None:
    await _accepted(store, "wamid.A")
    (job,) = await _claim(store, UPSTREAM_SEND, NOW)
    await store.record_statuses([_status("wamid.A", lifecycle.DELIVERED)], NOW + 1)
    await store.record_outcomes([SendAccepted(job, "wamid.META")], NOW + 2)
    record = await store.message(HOOKED.id, "wamid.A")
    assert record is not None and record.status == lifecycle.DELIVERED


async def test_upstream_settled_sets_the_outcome_and_relays_it(store: Store) -> None:
    await _accepted(store, "wamid.A", "wamid.B")
    job_a, job_b = await _claim(store, UPSTREAM_SEND, NOW)
    await store.record_outcomes(
        [SendSettled(job_a, lifecycle.FAILED, "131026", b"failed-body")], NOW + 1
    )
    await store.record_outcomes(
        [SendSettled(job_b, lifecycle.UNKNOWN, LEASE_EXPIRED, None)], NOW + 1
    )
    a = await store.message(HOOKED.id, "wamid.A")
    b = await store.message(HOOKED.id, "wamid.B")
    assert a is not None and b is not None
    assert (a.status, a.error, a.events) == (
        lifecycle.FAILED,
        "131026",
        [(lifecycle.FAILED, NOW + 1, "131026")],
    )
    assert (b.status, b.error) == (lifecycle.UNKNOWN, LEASE_EXPIRED)
    assert await _claim(store, UPSTREAM_SEND, NOW + LEASE + 1) == []
    relays = await _claim(store, CLIENT_WEBHOOK, NOW + 1)
    assert [(j.ref, j.ordering_key, j.payload) for j in relays] == [
        (HOOKED.id, "wamid.A", b"failed-body")
    ]


async def test_statuses_of_one_message_are_claimed_in_order(store: Store) -> None:
    await _accepted(store, "wamid.A", "wamid.B")
    await store.record_statuses(
        [
            _status("wamid.A", lifecycle.SENT),
            _status("wamid.A", lifecycle.DELIVERED),
            _status("wamid.B", lifecycle.SENT),
        ],
        NOW,
    )
    first = await _claim(store, CLIENT_WEBHOOK, NOW)
    assert [j.payload for j in first] == [b"wamid.A:sent", b"wamid.B:sent"]
    # `delivered` waits while `sent` is leased, even once it is due.
    assert await _claim(store, CLIENT_WEBHOOK, NOW + 1) == []
    await store.record_outcomes(
        [
            DeliveryAttempted(
                first[0], _attempt(first[0], NOW + 1, 200, None), done=True, retry_at=None
            )
        ],
        NOW,
    )
    (delivered,) = await _claim(store, CLIENT_WEBHOOK, NOW + 1)
    assert delivered.payload == b"wamid.A:delivered"


async def test_a_delivery_that_failed_for_good_holds_the_later_ones_back(store: Store) -> None:
    await _accepted(store, "wamid.A")
    await store.record_statuses(
        [_status("wamid.A", lifecycle.SENT), _status("wamid.A", lifecycle.DELIVERED)], NOW
    )
    (sent,) = await _claim(store, CLIENT_WEBHOOK, NOW)
    failure = DeliveryAttempted(
        sent, _attempt(sent, NOW, 500, "HTTP 500"), done=False, retry_at=None
    )
    await store.record_outcomes([failure], NOW)
    # `delivered` fails with it instead of going out before `sent`; so does a later `read`.
    await store.record_statuses([_status("wamid.A", lifecycle.READ)], NOW + 1)
    assert await _claim(store, CLIENT_WEBHOOK, NOW + 10_000) == []
    failed = await store.webhook_deliveries(HOOKED.partner_id, state="failed")
    assert sorted(d.payload or b"" for d in failed) == [
        b"wamid.A:delivered",
        b"wamid.A:read",
        b"wamid.A:sent",
    ]
    # A replay of any of them re-opens the three, and they go out in lifecycle order.
    assert await store.replay_delivery(HOOKED.partner_id, failed[0].id, NOW + 20)
    order = []
    while batch := await _claim(store, CLIENT_WEBHOOK, NOW + 20):
        assert len(batch) == 1
        order.append(batch[0].payload)
        done = DeliveryAttempted(
            batch[0], _attempt(batch[0], NOW + 20, 200, None), done=True, retry_at=None
        )
        await store.record_outcomes([done], NOW + 20)
    assert order == [b"wamid.A:sent", b"wamid.A:delivered", b"wamid.A:read"]


async def test_webhook_attempts_retry_then_succeed(store: Store) -> None:
    await _accepted(store, "wamid.A")
    await store.record_statuses([_status("wamid.A", lifecycle.SENT)], NOW)
    (job,) = await _claim(store, CLIENT_WEBHOOK, NOW)
    await store.record_outcomes(
        [
            DeliveryAttempted(
                job, _attempt(job, NOW, None, "timeout"), done=False, retry_at=NOW + 30
            )
        ],
        NOW,
    )
    assert await _claim(store, CLIENT_WEBHOOK, NOW + 29) == []
    (again,) = await _claim(store, CLIENT_WEBHOOK, NOW + 30)
    assert (again.id, again.attempts, again.last_error) == (job.id, 2, "timeout")
    await store.record_outcomes(
        [DeliveryAttempted(again, _attempt(again, NOW + 30, 204, None), done=True, retry_at=None)],
        NOW,
    )
    assert await _claim(store, CLIENT_WEBHOOK, NOW + 10_000) == []
    assert not await store.due(CLIENT_WEBHOOK, NOW + 10_000)
    assert await store.attempts(job.id) == [
        WebhookAttempt(job.id, HOOK_URL, NOW, None, 12.5, None, "timeout"),
        # the compact log: a success lives on its job, without the response excerpt
        WebhookAttempt(job.id, HOOK_URL, NOW + 30, 204, 12.5, None, None),
    ]
    assert await store.attempts(job.id + 1000) == []


async def test_a_failed_delivery_is_never_claimed_again(store: Store) -> None:
    await _accepted(store, "wamid.A")
    await store.record_statuses([_status("wamid.A", lifecycle.SENT)], NOW)
    (job,) = await _claim(store, CLIENT_WEBHOOK, NOW)
    await store.record_outcomes(
        [DeliveryAttempted(job, _attempt(job, NOW, 410, "gone"), done=False, retry_at=None)], NOW
    )
    assert await _claim(store, CLIENT_WEBHOOK, NOW + 10_000) == []
    assert [a.status_code for a in await store.attempts(job.id)] == [410]
