"""The outbox: claiming jobs with a lease, and settling what the workers did.

Per-ordering-key order rests on job ids: a job is claimable only when no earlier
pending (or failed) job shares its key. On PostgreSQL ids are drawn at insert time,
not at commit, so every insert of a job with an ordering key first locks the row its
key belongs to (the message, the partner); the next insert for that key then waits
for the commit and always draws a larger id.
"""

from __future__ import annotations

from mmgate.storage.port import (
    LEASE_EXPIRED,
    Job,
    JobOutcome,
)
from mmgate.storage.postgres.engine import Database
from mmgate.storage.postgres.outcomes import record_outcomes

# A job of kind $1 that can run at time $2: due, not leased, and no earlier job of
# its ordering key pending or failed (a failure for good holds the message's later
# webhooks back, so per-message order survives the retry window).
# The same rule as `due` in sql/outbox.sql: change both together.
_CLAIMABLE = """
j.kind = $1 AND j.state = 'pending' AND j.run_at <= $2
AND (j.lease_until IS NULL OR j.lease_until < $2)
AND (j.ordering_key IS NULL OR (
    NOT EXISTS (SELECT 1 FROM jobs p WHERE p.ordering_key = j.ordering_key
        AND p.state = 'pending' AND p.id < j.id)
    AND NOT EXISTS (SELECT 1 FROM jobs p WHERE p.ordering_key = j.ordering_key
        AND p.state = 'failed' AND p.id < j.id)))
"""

# Fair claims: the tenants with pending jobs are found with a skip scan of the
# (kind, tenant, run_at) index (a step per tenant, not per job); each offers its
# oldest claimable jobs and the batch takes them round-robin, so a big campaign does
# not hold back a small client.
# SKIP LOCKED lets several processes claim side by side: a row another claimer is
# leasing right now is passed over instead of waited for, and a row whose lease
# was committed meanwhile is re-checked against the lease condition, so no job is
# claimed twice while its lease holds. A job leased before (lease_until set) is
# being reclaimed after its lease expired: say so in last_error.
_CLAIM = f"""
WITH RECURSIVE tenants(t) AS (
    (SELECT tenant FROM jobs WHERE kind = $1 AND state = 'pending' ORDER BY tenant LIMIT 1)
    UNION ALL
    SELECT (SELECT tenant FROM jobs WHERE kind = $1 AND state = 'pending' AND tenant > t
            ORDER BY tenant LIMIT 1)
    FROM tenants WHERE t IS NOT NULL
), offered AS (
    SELECT o.id, o.run_at, tenants.t AS tenant FROM tenants CROSS JOIN LATERAL (
        SELECT j.id, j.run_at FROM jobs j WHERE j.tenant = tenants.t AND {_CLAIMABLE}
        ORDER BY j.run_at, j.id LIMIT $4 FOR UPDATE OF j SKIP LOCKED
    ) o
), picked AS (
    SELECT id FROM (
        SELECT id, run_at, row_number() OVER (PARTITION BY tenant ORDER BY run_at, id) AS turn
        FROM offered
    ) turns ORDER BY turn, run_at, id LIMIT $4
)
UPDATE jobs SET
    last_error = CASE WHEN jobs.lease_until IS NOT NULL THEN $5 ELSE jobs.last_error END,
    lease_until = $3,
    attempts = jobs.attempts + 1
FROM picked WHERE jobs.id = picked.id
RETURNING jobs.id, jobs.kind, jobs.ref, jobs.ordering_key, jobs.payload, jobs.attempts,
    jobs.created_at, jobs.last_error, jobs.started_at, jobs.tenant
"""


class Outbox:
    db: Database

    async def claim(self, kind: str, now: float, lease_until: float, limit: int) -> list[Job]:
        found = await self.db.write(
            lambda c: c.fetch(_CLAIM, kind, now, lease_until, limit, LEASE_EXPIRED)
        )
        return sorted((Job(*r) for r in found), key=lambda job: job.id)

    async def mark_started(self, jobs: list[Job], now: float) -> None:
        ids = [job.id for job in jobs]
        await self.db.write(
            lambda c: c.execute(
                "UPDATE jobs SET started_at = $1 WHERE id = ANY($2::bigint[])", now, ids
            )
        )

    async def record_outcomes(self, outcomes: list[JobOutcome], now: float) -> None:
        await self.db.write(lambda c: record_outcomes(c, outcomes, now))
