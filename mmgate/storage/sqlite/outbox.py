"""The outbox on SQLite: claiming jobs with a lease, settling them, relays.

Set-based for batches: one claim leases a batch (taking turns across tenants), one
write records what the workers did with many jobs, a status and its relay job are
written together.
"""

from __future__ import annotations

import itertools
import sqlite3

from mmgate.domain import lifecycle
from mmgate.storage.port import (
    CLIENT_WEBHOOK,
    ENDPOINT_HELD,
    HELD_BEHIND_FAILED,
    LEASE_EXPIRED,
    DeliveryAttempted,
    Job,
    JobOutcome,
    Overdue,
    OverdueRelay,
    Rescheduled,
    SendAccepted,
    SendSettled,
    StatusUpdate,
)
from mmgate.storage.sqlite.engine import Engine

# A job that can run now: due, not leased, and no earlier job of its ordering key is
# pending or failed (a failure for good holds the message's later webhooks back, so
# per-message order survives the retry window; a replay re-opens them in order).
# The same rule as `due` in sql/outbox.sql: change both together.
CLAIMABLE = """
c.kind = :kind AND c.state = 'pending' AND c.run_at <= :now
AND (c.lease_until IS NULL OR c.lease_until < :now)
AND (c.ordering_key IS NULL OR (
    NOT EXISTS (SELECT 1 FROM jobs p WHERE p.ordering_key = c.ordering_key
        AND p.state = 'pending' AND p.id < c.id)
    AND NOT EXISTS (SELECT 1 FROM jobs p WHERE p.ordering_key = c.ordering_key
        AND p.state = 'failed' AND p.id < c.id)))
"""

# Fair claims: the tenants with pending jobs are found with a skip scan of the
# (kind, tenant, run_at) index (a step per tenant, not per job), each offers its oldest
# claimable jobs (an index range scan) and the batch takes them round-robin: the first
# of every tenant, then the second... A 3,000-message campaign no longer delays a small
# client. (SQLite has no LATERAL join; the loop over tenants runs in the same write.)
_TENANTS = """
WITH RECURSIVE tenants(t) AS (
    SELECT (SELECT tenant FROM jobs WHERE kind = :kind AND state = 'pending'
            ORDER BY tenant LIMIT 1)
    UNION ALL
    SELECT (SELECT tenant FROM jobs WHERE kind = :kind AND state = 'pending' AND tenant > t
            ORDER BY tenant LIMIT 1)
    FROM tenants WHERE t IS NOT NULL
)
SELECT t FROM tenants WHERE t IS NOT NULL
"""
_OFFERED = f"""
SELECT c.id FROM jobs c INDEXED BY jobs_tenant_due WHERE c.tenant = :tenant AND {CLAIMABLE}
ORDER BY c.run_at, c.id LIMIT :limit
"""
_LEASE = """
UPDATE jobs SET
    last_error = CASE WHEN lease_until IS NOT NULL THEN :expired ELSE last_error END,
    lease_until = :lease_until, attempts = attempts + 1
WHERE id = :id
RETURNING id, kind, ref, ordering_key, payload, attempts, created_at, last_error, started_at,
    tenant
"""


def _claim(c: sqlite3.Connection, params: dict[str, object], limit: int) -> list[Job]:
    offers = [
        [row[0] for row in c.execute(_OFFERED, {**params, "tenant": tenant[0]})]
        for tenant in c.execute(_TENANTS, params).fetchall()
    ]
    picked = [
        job_id for turn in itertools.zip_longest(*offers) for job_id in turn if job_id is not None
    ]
    jobs = [
        Job(*c.execute(_LEASE, {**params, "id": job_id}).fetchone()) for job_id in picked[:limit]
    ]
    return sorted(jobs, key=lambda j: j.id)


_EVENT = "INSERT INTO message_events (wamid, status, at, detail) VALUES (?, ?, ?, ?)"


class OutboxQueries:
    engine: Engine

    # -- the outbox ----------------------------------------------------------------------

    async def claim(self, kind: str, now: float, lease_until: float, limit: int) -> list[Job]:
        params: dict[str, object] = {
            "kind": kind,
            "now": now,
            "lease_until": lease_until,
            "limit": limit,
            "expired": LEASE_EXPIRED,
        }
        return await self.engine.write(_claim, params, limit)

    async def mark_started(self, jobs: list[Job], now: float) -> None:
        rows = [(now, job.id) for job in jobs]
        await self.engine.write(_mark_started, rows)

    async def record_outcomes(self, outcomes: list[JobOutcome], now: float) -> None:
        await self.engine.write(_record_all, outcomes, now)

    async def expire_overdue(self, now: float, limit: int, relay: OverdueRelay) -> int:
        return await self.engine.write(_expire_overdue, now, limit, relay)

    async def record_statuses(self, updates: list[StatusUpdate], now: float) -> int:
        return await self.engine.write(_record_statuses, updates, now)


def _expire_overdue(c: sqlite3.Connection, now: float, limit: int, relay: OverdueRelay) -> int:
    rows = c.execute(
        "SELECT m.wamid, m.status, m.recipient, ch.phone_number_id, "
        "ch.display_phone_number, ch.waba_id, m.payload, m.expires_at FROM messages m "
        "JOIN channels ch ON ch.id = m.channel_id "
        "WHERE m.status_rank < ? AND m.expires_at <= ? LIMIT ?",
        (lifecycle.rank(lifecycle.DELIVERED), now, limit),
    ).fetchall()
    for row in rows:
        overdue = Overdue(*row)
        # Stamped when the TTL ended, not when the sweep saw it (after a clock jump).
        ended = overdue.expires_at
        _move(c, overdue.wamid, lifecycle.EXPIRED, None, "ttl ended before delivery", ended)
        body = relay(overdue)
        if body is not None:
            _enqueue_relay(c, overdue.wamid, body, now)
    return len(rows)


def _record_statuses(c: sqlite3.Connection, updates: list[StatusUpdate], now: float) -> int:
    known = 0
    for u in updates:
        if c.execute(
            "SELECT 1 FROM message_events WHERE wamid = ? AND status = ? LIMIT 1",
            (u.wamid, u.status),
        ).fetchone():
            continue  # a redelivered webhook (Meta retried it): recorded and relayed once
        cur = c.execute(
            "UPDATE messages SET updated_at = ?, "
            "status = CASE WHEN status_rank < ? THEN ? ELSE status END, "
            "status_rank = MAX(status_rank, ?), route_taken = COALESCE(route_taken, ?), "
            "error = COALESCE(?, error) WHERE wamid = ?",
            (
                now,
                lifecycle.rank(u.status),
                u.status,
                lifecycle.rank(u.status),
                u.route_taken,
                u.error,
                u.wamid,
            ),
        )
        if cur.rowcount == 0:
            continue
        known += 1
        c.execute(_EVENT, (u.wamid, u.status, u.at, u.error))
        _enqueue_relay(c, u.wamid, u.relay_body, now)
    return known


def _mark_started(c: sqlite3.Connection, rows: list[tuple[float, int]]) -> None:
    c.executemany("UPDATE jobs SET started_at = ? WHERE id = ?", rows)


def _record_all(c: sqlite3.Connection, outcomes: list[JobOutcome], now: float) -> None:
    for outcome in outcomes:
        _record(c, outcome, now)


def _record(c: sqlite3.Connection, outcome: JobOutcome, now: float) -> None:
    job = outcome.job
    if isinstance(outcome, SendAccepted):
        c.execute("DELETE FROM jobs WHERE id = ?", (job.id,))
        c.execute(
            "UPDATE messages SET meta_wamid = ?, updated_at = ?, status = CASE WHEN "
            "status_rank < ? THEN ? ELSE status END, status_rank = MAX(status_rank, ?) "
            "WHERE wamid = ?",
            (
                outcome.meta_wamid,
                now,
                lifecycle.rank(lifecycle.SENT_UPSTREAM),
                lifecycle.SENT_UPSTREAM,
                lifecycle.rank(lifecycle.SENT_UPSTREAM),
                job.ref,
            ),
        )
        c.execute(_EVENT, (job.ref, lifecycle.SENT_UPSTREAM, now, outcome.meta_wamid))
    elif isinstance(outcome, SendSettled):
        c.execute("DELETE FROM jobs WHERE id = ?", (job.id,))
        moved = _move(c, job.ref, outcome.status, outcome.error, outcome.error, now)
        if moved and outcome.relay_body is not None:
            _enqueue_relay(c, job.ref, outcome.relay_body, now)
    elif isinstance(outcome, Rescheduled):
        c.execute(
            # Not started any more: a send rescheduled provably never left.
            "UPDATE jobs SET run_at = ?, lease_until = NULL, started_at = NULL, last_error = ? "
            "WHERE id = ?",
            (outcome.run_at, outcome.reason, job.id),
        )
    else:
        _record_delivery(c, outcome, now)


def _move(
    c: sqlite3.Connection,
    wamid: str,
    status: str,
    error: str | None,
    detail: str | None,
    now: float,
) -> bool:
    """Settle a message that has not been delivered yet; never moves a status back (one
    already `delivered` or `read` keeps it, whatever a lease expiry or the TTL says).
    Whether it moved."""
    cur = c.execute(
        "UPDATE messages SET status = ?, status_rank = ?, error = COALESCE(?, error), "
        "updated_at = ? WHERE wamid = ? AND status_rank < ? AND status_rank < ?",
        (
            status,
            lifecycle.rank(status),
            error,
            now,
            wamid,
            lifecycle.rank(status),
            lifecycle.rank(lifecycle.DELIVERED),
        ),
    )
    if cur.rowcount:
        c.execute(_EVENT, (wamid, status, now, detail))
    return cur.rowcount > 0


def _record_delivery(c: sqlite3.Connection, outcome: DeliveryAttempted, now: float) -> None:
    a, job = outcome.attempt, outcome.job
    if outcome.done and a.error is None:
        # The compact log: a success is kept on the job row, not in a row of its own.
        c.execute(
            "UPDATE jobs SET state = 'done', lease_until = NULL, done_at = ?, done_url = ?, "
            "done_status_code = ?, done_duration_ms = ? WHERE id = ?",
            (a.at, a.url, a.status_code, a.duration_ms, job.id),
        )
        return
    c.execute(
        "INSERT INTO webhook_attempts (job_id, url, at, status_code, duration_ms, "
        "response_excerpt, error) VALUES (?,?,?,?,?,?,?)",
        (a.job_id, a.url, a.at, a.status_code, a.duration_ms, a.response_excerpt, a.error),
    )
    if outcome.done:
        c.execute("UPDATE jobs SET state = 'done', lease_until = NULL WHERE id = ?", (job.id,))
    elif outcome.retry_at is not None:
        c.execute(
            "UPDATE jobs SET run_at = ?, lease_until = NULL, last_error = ? WHERE id = ?",
            (outcome.retry_at, a.error, job.id),
        )
    else:
        c.execute(
            "UPDATE jobs SET state = 'failed', lease_until = NULL, last_error = ? WHERE id = ?",
            (a.error, job.id),
        )
        if job.ordering_key is not None:
            # Order holds past the retry window: the message's later webhooks wait
            # behind this one, failed with it, and a replay re-opens them in order.
            c.execute(
                "UPDATE jobs SET state = 'failed', lease_until = NULL, last_error = ? "
                "WHERE ordering_key = ? AND state = 'pending' AND id > ?",
                (HELD_BEHIND_FAILED, job.ordering_key, job.id),
            )
    if outcome.hold_endpoint and a.url:
        c.execute(
            "INSERT INTO endpoint_holds (url, reason, held_at) VALUES (?, ?, ?) "
            "ON CONFLICT (url) DO NOTHING",
            (a.url, ENDPOINT_HELD, now),
        )


def _enqueue_relay(c: sqlite3.Connection, wamid: str, body: bytes, now: float) -> None:
    """Queue a client webhook for the message's channel, if it has a webhook URL.

    Statuses of one message share an ordering key so they go out in lifecycle order,
    unless the channel opted into chaos (then they race, up to 3 s apart). One queued
    behind a delivery of the message that failed for good fails with it (order holds
    past the retry window; a replay re-opens them together)."""
    c.execute(
        "INSERT INTO jobs (kind, ref, tenant, ordering_key, run_at, payload, created_at, "
        "state, last_error) "
        "SELECT ?, m.channel_id, m.channel_id, "
        "CASE WHEN ch.chaos_out_of_order = 1 THEN NULL ELSE m.wamid END, "
        "CASE WHEN ch.chaos_out_of_order = 1 THEN ? + abs(random() % 3000) / 1000.0 ELSE ? END, "
        "?, ?, CASE WHEN f.id IS NULL THEN 'pending' ELSE 'failed' END, "
        "CASE WHEN f.id IS NULL THEN NULL ELSE ? END "
        "FROM messages m JOIN channels ch ON ch.id = m.channel_id "
        "LEFT JOIN (SELECT id FROM jobs WHERE ordering_key = ? AND state = 'failed' LIMIT 1) f "
        "WHERE m.wamid = ? AND ch.webhook_url IS NOT NULL",
        (CLIENT_WEBHOOK, now, now, body, now, HELD_BEHIND_FAILED, wamid, wamid),
    )
