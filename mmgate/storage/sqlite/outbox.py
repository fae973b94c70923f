"""The outbox on SQLite: claiming jobs with a lease, settling them, relays and attempts."""

from __future__ import annotations

import sqlite3

from mmgate.domain import lifecycle
from mmgate.storage.port import (
    CLIENT_WEBHOOK,
    LEASE_EXPIRED,
    Job,
    StatusUpdate,
    WebhookAttempt,
    WebhookDelivery,
)
from mmgate.storage.sqlite.engine import Engine
from mmgate.storage.sqlite.rows import PARTNER_JOBS


class OutboxQueries:
    engine: Engine

    # -- the outbox ----------------------------------------------------------------------

    async def claim(self, kind: str, now: float, lease_until: float, limit: int) -> list[Job]:
        def run(c: sqlite3.Connection) -> list[Job]:
            rows = c.execute(
                "UPDATE jobs SET last_error = CASE WHEN lease_until IS NOT NULL THEN ? "
                "ELSE last_error END, lease_until = ?, attempts = attempts + 1 WHERE id IN ("
                " SELECT j.id FROM jobs j WHERE j.kind = ? AND j.state = 'pending'"
                " AND j.run_at <= ? AND (j.lease_until IS NULL OR j.lease_until < ?)"
                " AND (j.ordering_key IS NULL OR NOT EXISTS (SELECT 1 FROM jobs p"
                "  WHERE p.ordering_key = j.ordering_key AND p.state = 'pending' AND p.id < j.id))"
                " ORDER BY j.run_at LIMIT ?) "
                "RETURNING id, kind, ref, ordering_key, payload, attempts, created_at, last_error",
                (LEASE_EXPIRED, lease_until, kind, now, now, limit),
            ).fetchall()
            return [Job(*r) for r in rows]

        return await self.engine.write(run)

    async def expire_overdue(self, now: float, limit: int) -> int:
        def run(c: sqlite3.Connection) -> int:
            rows = c.execute(
                "UPDATE messages SET status = ?, status_rank = ?, updated_at = ? WHERE wamid IN "
                "(SELECT wamid FROM messages WHERE status_rank < 4 AND expires_at <= ? LIMIT ?) "
                "RETURNING wamid, expires_at",
                (lifecycle.EXPIRED, lifecycle.rank(lifecycle.EXPIRED), now, now, limit),
            ).fetchall()
            # Stamped when the TTL ended, not when the sweep saw it (after a clock jump).
            c.executemany(
                "INSERT INTO message_events (wamid, status, at, detail) VALUES (?, ?, ?, ?)",
                [(r[0], lifecycle.EXPIRED, r[1], "ttl ended before delivery") for r in rows],
            )
            return len(rows)

        return await self.engine.write(run)

    async def due(self, kind: str, now: float) -> bool:
        """Whether a job of this kind could be claimed now (same rules as `claim`)."""
        return await self.engine.read(
            lambda c: (
                c.execute(
                    "SELECT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = ? AND j.state = 'pending' "
                    "AND j.run_at <= ? AND (j.lease_until IS NULL OR j.lease_until < ?) "
                    "AND (j.ordering_key IS NULL OR NOT EXISTS (SELECT 1 FROM jobs p "
                    " WHERE p.ordering_key = j.ordering_key AND p.state = 'pending' "
                    " AND p.id < j.id)))",
                    (kind, now, now),
                ).fetchone()[0]
                == 1
            )
        )

    async def upstream_accepted(self, job: Job, meta_wamid: str, now: float) -> None:
        def run(c: sqlite3.Connection) -> None:
            c.execute("DELETE FROM jobs WHERE id = ?", (job.id,))
            c.execute(
                "UPDATE messages SET meta_wamid = ?, updated_at = ?, status = CASE WHEN "
                "status_rank < ? THEN ? ELSE status END, status_rank = MAX(status_rank, ?) "
                "WHERE wamid = ?",
                (
                    meta_wamid,
                    now,
                    lifecycle.rank(lifecycle.SENT_UPSTREAM),
                    lifecycle.SENT_UPSTREAM,
                    lifecycle.rank(lifecycle.SENT_UPSTREAM),
                    job.ref,
                ),
            )
            c.execute(
                "INSERT INTO message_events (wamid, status, at, detail) VALUES (?,?,?,?)",
                (job.ref, lifecycle.SENT_UPSTREAM, now, meta_wamid),
            )

        await self.engine.write(run)

    async def reschedule(self, job: Job, run_at: float, reason: str) -> None:
        await self.engine.write(
            lambda c: c.execute(
                "UPDATE jobs SET run_at = ?, lease_until = NULL, last_error = ? WHERE id = ?",
                (run_at, reason, job.id),
            )
        )

    async def upstream_settled(
        self, job: Job, status: str, error: str | None, relay_body: bytes | None, now: float
    ) -> None:
        def run(c: sqlite3.Connection) -> None:
            c.execute("DELETE FROM jobs WHERE id = ?", (job.id,))
            c.execute(
                "UPDATE messages SET status = ?, status_rank = ?, error = ?, updated_at = ? "
                "WHERE wamid = ?",
                (status, lifecycle.rank(status), error, now, job.ref),
            )
            c.execute(
                "INSERT INTO message_events (wamid, status, at, detail) VALUES (?,?,?,?)",
                (job.ref, status, now, error),
            )
            if relay_body is not None:
                _enqueue_relay(c, job.ref, relay_body, now)

        await self.engine.write(run)

    async def record_statuses(self, updates: list[StatusUpdate], now: float) -> int:
        def run(c: sqlite3.Connection) -> int:
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
                c.execute(
                    "INSERT INTO message_events (wamid, status, at, detail) VALUES (?,?,?,?)",
                    (u.wamid, u.status, u.at, u.error),
                )
                _enqueue_relay(c, u.wamid, u.relay_body, now)
            return known

        return await self.engine.write(run)

    async def wamid_for_meta(self, meta_wamid: str) -> str | None:
        row = await self.engine.read(
            lambda c: c.execute(
                "SELECT wamid FROM messages WHERE meta_wamid = ?", (meta_wamid,)
            ).fetchone()
        )
        return None if row is None else str(row[0])

    async def webhook_attempted(
        self, job: Job, attempt: WebhookAttempt, *, done: bool, retry_at: float | None
    ) -> None:
        a = attempt

        def run(c: sqlite3.Connection) -> None:
            c.execute(
                "INSERT INTO webhook_attempts (job_id, url, at, status_code, duration_ms, "
                "response_excerpt, error) VALUES (?,?,?,?,?,?,?)",
                (a.job_id, a.url, a.at, a.status_code, a.duration_ms, a.response_excerpt, a.error),
            )
            if done:
                c.execute(
                    "UPDATE jobs SET state = 'done', lease_until = NULL WHERE id = ?", (job.id,)
                )
            elif retry_at is None:
                c.execute(
                    "UPDATE jobs SET state = 'failed', lease_until = NULL, last_error = ? "
                    "WHERE id = ?",
                    (a.error, job.id),
                )
            else:
                c.execute(
                    "UPDATE jobs SET run_at = ?, lease_until = NULL, last_error = ? WHERE id = ?",
                    (retry_at, a.error, job.id),
                )

        await self.engine.write(run)

    async def attempts(self, job_id: int) -> list[WebhookAttempt]:
        rows = await self.engine.read(
            lambda c: c.execute(
                "SELECT job_id, url, at, status_code, duration_ms, response_excerpt, error "
                "FROM webhook_attempts WHERE job_id = ? ORDER BY id",
                (job_id,),
            ).fetchall()
        )
        return [WebhookAttempt(*r) for r in rows]


class DeliveryLogQueries:
    """The webhook log: deliveries a partner can see, and replaying them."""

    engine: Engine

    async def webhook_deliveries(
        self,
        partner_id: str,
        *,
        state: str | None = None,
        channel_id: str | None = None,
        since: float | None = None,
        limit: int = 100,
    ) -> list[WebhookDelivery]:
        params = {
            "partner_id": partner_id,
            "state": state,
            "channel_id": channel_id,
            "since": since,
            "limit": limit,
        }

        def run(c: sqlite3.Connection) -> list[WebhookDelivery]:
            rows = c.execute(
                "SELECT j.id, j.kind, j.ref, j.ordering_key, j.state, j.attempts, j.run_at, "
                f"j.created_at, j.last_error, j.payload FROM jobs j WHERE {PARTNER_JOBS} "
                "AND (:state IS NULL OR j.state = :state) "
                "AND (:channel_id IS NULL OR (j.kind = 'client_webhook' AND j.ref = :channel_id)) "
                "AND (:since IS NULL OR j.created_at >= :since) "
                "ORDER BY j.id DESC LIMIT :limit",
                params,
            ).fetchall()
            return [WebhookDelivery(*r) for r in rows]

        return await self.engine.read(run)

    async def webhook_delivery(self, partner_id: str, job_id: int) -> WebhookDelivery | None:
        row = await self.engine.read(
            lambda c: c.execute(
                "SELECT j.id, j.kind, j.ref, j.ordering_key, j.state, j.attempts, j.run_at, "
                f"j.created_at, j.last_error, j.payload FROM jobs j WHERE j.id = :job_id "
                f"AND {PARTNER_JOBS}",
                {"job_id": job_id, "partner_id": partner_id},
            ).fetchone()
        )
        return None if row is None else WebhookDelivery(*row)

    async def replay_delivery(self, partner_id: str, job_id: int, now: float) -> bool:
        def run(c: sqlite3.Connection) -> bool:
            return (
                _replay(
                    c,
                    f"j.id = :job_id AND {PARTNER_JOBS}",
                    {"job_id": job_id, "partner_id": partner_id},
                    now,
                )
                == 1
            )

        return await self.engine.write(run)

    async def replay_failed(
        self, partner_id: str, *, channel_id: str | None, since: float, now: float
    ) -> int:
        def run(c: sqlite3.Connection) -> int:
            condition = (
                f"j.state = 'failed' AND j.created_at >= :since AND {PARTNER_JOBS} "
                "AND (:channel_id IS NULL OR (j.kind = 'client_webhook' AND j.ref = :channel_id))"
            )
            params = {"since": since, "partner_id": partner_id, "channel_id": channel_id}
            return _replay(c, condition, params, now)

        return await self.engine.write(run)


def _replay(c: sqlite3.Connection, condition: str, params: dict[str, object], now: float) -> int:
    """A replay re-opens the delivery in place: same id (so per-message order and the
    attempt history are kept) with a fresh retry window."""
    cur = c.execute(
        "UPDATE jobs SET state = 'pending', run_at = :now, lease_until = NULL, "
        "created_at = :now, last_error = 'replayed' WHERE id IN (SELECT j.id FROM jobs j "
        f"WHERE {condition} AND j.kind IN ('client_webhook', 'partner_webhook') "
        "AND j.state IN ('failed', 'done'))",
        {**params, "now": now},
    )
    return cur.rowcount


def _enqueue_relay(c: sqlite3.Connection, wamid: str, body: bytes, now: float) -> None:
    """Queue a client webhook for the message's channel, if it has a webhook URL.

    Statuses of one message share an ordering key so they go out in lifecycle order,
    unless the channel opted into chaos (then they race, up to 3 s apart)."""
    c.execute(
        "INSERT INTO jobs (kind, ref, ordering_key, run_at, payload, created_at) "
        "SELECT ?, m.channel_id, CASE WHEN ch.chaos_out_of_order = 1 THEN NULL ELSE m.wamid END, "
        "CASE WHEN ch.chaos_out_of_order = 1 THEN ? + abs(random() % 3000) / 1000.0 ELSE ? END, "
        "?, ? FROM messages m JOIN channels ch ON ch.id = m.channel_id "
        "WHERE m.wamid = ? AND ch.webhook_url IS NOT NULL",
        (CLIENT_WEBHOOK, now, now, body, now, wamid),
    )
