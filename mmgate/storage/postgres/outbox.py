"""The outbox: claiming jobs with a lease, and settling what the workers did.

Per-ordering-key order rests on job ids: a job is claimable only when no earlier
pending job shares its key. On PostgreSQL ids are drawn at insert time, not at
commit, so every insert of a job with an ordering key first locks the row its
key belongs to (the message, the partner); the next insert for that key then
waits for the commit and always draws a larger id.
"""

from __future__ import annotations

from mmgate.domain import lifecycle
from mmgate.storage.port import (
    CLIENT_WEBHOOK,
    LEASE_EXPIRED,
    PARTNER_WEBHOOK,
    Job,
    WebhookAttempt,
)
from mmgate.storage.postgres.engine import Connection, Database

# A job of kind $1 that can run at time $2: due, not leased, and no earlier pending
# job shares its ordering key.
_CLAIMABLE = """
j.kind = $1 AND j.state = 'pending' AND j.run_at <= $2
AND (j.lease_until IS NULL OR j.lease_until < $2)
AND (j.ordering_key IS NULL OR NOT EXISTS (
    SELECT 1 FROM jobs p
    WHERE p.ordering_key = j.ordering_key AND p.state = 'pending' AND p.id < j.id))
"""

# SKIP LOCKED lets several processes claim side by side: a row another claimer is
# leasing right now is passed over instead of waited for, and a row whose lease
# was committed meanwhile is re-checked against the lease condition, so no job is
# claimed twice while its lease holds. A job leased before (lease_until set) is
# being reclaimed after its lease expired: say so in last_error.
_CLAIM = f"""
WITH picked AS (
    SELECT j.id FROM jobs j
    WHERE {_CLAIMABLE}
    ORDER BY j.run_at, j.id
    LIMIT $4
    FOR UPDATE OF j SKIP LOCKED
)
UPDATE jobs SET
    last_error = CASE WHEN jobs.lease_until IS NOT NULL THEN $5 ELSE jobs.last_error END,
    lease_until = $3,
    attempts = jobs.attempts + 1
FROM picked WHERE jobs.id = picked.id
RETURNING jobs.id, jobs.kind, jobs.ref, jobs.ordering_key, jobs.payload, jobs.attempts,
    jobs.created_at, jobs.last_error
"""

_RECORD_ATTEMPT = """
WITH attempt AS (
    INSERT INTO webhook_attempts (job_id, url, at, status_code, duration_ms,
        response_excerpt, error)
    VALUES ($2, $3, $4, $5, $6, $7, $8)
)
"""
_ATTEMPT_DONE = _RECORD_ATTEMPT + "UPDATE jobs SET state = 'done', lease_until = NULL WHERE id = $1"
_ATTEMPT_FAILED = (
    _RECORD_ATTEMPT + "UPDATE jobs SET state = 'failed', lease_until = NULL, last_error = $8 "
    "WHERE id = $1"
)
_ATTEMPT_RETRY = (
    _RECORD_ATTEMPT + "UPDATE jobs SET run_at = $9, lease_until = NULL, last_error = $8 "
    "WHERE id = $1"
)


class Outbox:
    db: Database

    async def claim(self, kind: str, now: float, lease_until: float, limit: int) -> list[Job]:
        found = await self.db.write(
            lambda c: c.fetch(_CLAIM, kind, now, lease_until, limit, LEASE_EXPIRED)
        )
        return sorted((Job(*r) for r in found), key=lambda job: job.id)

    async def due(self, kind: str, now: float) -> bool:
        """Whether a job of this kind could be claimed now (same rules as `claim`)."""
        due = await self.db.read(
            lambda c: c.fetchval(
                f"SELECT EXISTS (SELECT 1 FROM jobs j WHERE {_CLAIMABLE})", kind, now
            )
        )
        return bool(due)

    async def expire_overdue(self, now: float, limit: int) -> int:
        async def run(c: Connection) -> int:
            rows = await c.fetch(
                "WITH overdue AS (SELECT wamid FROM messages WHERE status_rank < 4 "
                "AND expires_at <= $3 LIMIT $4 FOR UPDATE SKIP LOCKED), "
                "done AS (UPDATE messages m SET status = $1, status_rank = $2, updated_at = $3 "
                "FROM overdue WHERE m.wamid = overdue.wamid RETURNING m.wamid, m.expires_at) "
                "INSERT INTO message_events (wamid, status, at, detail) "  # at: the TTL's end
                "SELECT wamid, $1, expires_at, 'ttl ended before delivery' FROM done "
                "RETURNING wamid",
                lifecycle.EXPIRED,
                lifecycle.rank(lifecycle.EXPIRED),
                now,
                limit,
            )
            return len(rows)

        return await self.db.write(run)

    async def reschedule(self, job: Job, run_at: float, reason: str) -> None:
        """Release a claimed job to run again at `run_at` (a retry, or a resting endpoint)."""
        await self.db.write(
            lambda c: c.execute(
                "UPDATE jobs SET run_at = $1, lease_until = NULL, last_error = $2 WHERE id = $3",
                run_at,
                reason,
                job.id,
            )
        )

    async def webhook_attempted(
        self, job: Job, attempt: WebhookAttempt, *, done: bool, retry_at: float | None
    ) -> None:
        a = attempt
        args: tuple[object, ...] = (job.id, a.job_id, a.url, a.at, a.status_code)
        args += (a.duration_ms, a.response_excerpt, a.error)
        if done:
            sql = _ATTEMPT_DONE
        elif retry_at is None:
            sql = _ATTEMPT_FAILED
        else:
            sql, args = _ATTEMPT_RETRY, (*args, retry_at)
        await self.db.write(lambda c: c.execute(sql, *args))

    async def attempts(self, job_id: int) -> list[WebhookAttempt]:
        found = await self.db.read(
            lambda c: c.fetch(
                "SELECT job_id, url, at, status_code, duration_ms, response_excerpt, error "
                "FROM webhook_attempts WHERE job_id = $1 ORDER BY id",
                job_id,
            )
        )
        return [WebhookAttempt(*r) for r in found]

    async def record_partner_event(
        self, partner_id: str, body: bytes, ordering_key: str | None, now: float
    ) -> bool:
        # FOR UPDATE on the partner: the ordering lock described at the top.
        async def run(c: Connection) -> bool:
            job_id = await c.fetchval(
                "WITH partner AS (SELECT id FROM partners WHERE id = $5 "
                "AND webhook_url IS NOT NULL FOR UPDATE) "
                "INSERT INTO jobs (kind, ref, ordering_key, run_at, payload, created_at) "
                "SELECT $1, id, $2, $3, $4, $3 FROM partner RETURNING id",
                PARTNER_WEBHOOK,
                ordering_key,
                now,
                body,
                partner_id,
            )
            return job_id is not None

        return await self.db.write(run)

    async def record_channel_event(
        self, channel_id: str, body: bytes, now: float, ordering_key: str | None = None
    ) -> bool:
        async def run(c: Connection) -> bool:
            job_id = await c.fetchval(
                "INSERT INTO jobs (kind, ref, ordering_key, run_at, payload, created_at) "
                "SELECT $1, id, $5, $2, $3, $2 FROM channels "
                "WHERE id = $4 AND webhook_url IS NOT NULL RETURNING id",
                CLIENT_WEBHOOK,
                now,
                body,
                channel_id,
                ordering_key,
            )
            return job_id is not None

        return await self.db.write(run)
