"""Recording what the outbox workers did, many jobs in one write.

The common outcomes (a send Meta took, a webhook delivered) are one statement each
for the whole batch (arrays unnested), since every statement is a round trip; the
rare ones (failures, retries, settles) go one statement per job.
"""

from __future__ import annotations

from mmgate.domain import lifecycle
from mmgate.storage.port import (
    ENDPOINT_HELD,
    HELD_BEHIND_FAILED,
    DeliveryAttempted,
    JobOutcome,
    Rescheduled,
    SendAccepted,
    SendSettled,
)
from mmgate.storage.postgres.engine import Connection
from mmgate.storage.postgres.relay import RELAY

_SENDS_ACCEPTED = """
WITH input AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) AS i(job_id, wamid, meta_wamid)
), finished AS (
    DELETE FROM jobs USING input WHERE jobs.id = input.job_id
), moved AS (
    UPDATE messages m SET meta_wamid = input.meta_wamid, updated_at = $4,
        status = CASE WHEN m.status_rank < $5 THEN $6 ELSE m.status END,
        status_rank = GREATEST(m.status_rank, $5)
    FROM input WHERE m.wamid = input.wamid
)
INSERT INTO message_events (wamid, status, at, detail)
SELECT wamid, $6, $4, meta_wamid FROM input
"""

# The compact delivery log: a success is kept on its job row, not in a row of its own.
_DELIVERIES_DONE = """
UPDATE jobs SET state = 'done', lease_until = NULL, done_at = i.at, done_url = i.url,
    done_status_code = i.status_code, done_duration_ms = i.duration_ms
FROM unnest($1::bigint[], $2::double precision[], $3::text[], $4::integer[],
    $5::double precision[]) AS i(job_id, at, url, status_code, duration_ms)
WHERE jobs.id = i.job_id
"""

# A settle never moves a status back: a message already delivered or read keeps it,
# whatever a lease expiry or the TTL says. Parameters: $1 now, $2 relay body, $3 kind.
_SEND_SETTLED = (
    """
WITH finished AS (DELETE FROM jobs WHERE id = $4),
moved AS (
    UPDATE messages SET status = $5, status_rank = $6, error = COALESCE($7, error),
        updated_at = $1
    WHERE wamid = $8 AND status_rank < $6 AND status_rank < $9
    RETURNING wamid, channel_id
),
event AS (INSERT INTO message_events (wamid, status, at, detail)
    SELECT wamid, $5, $1, $7 FROM moved)
"""
    + RELAY
    + " AND $2::bytea IS NOT NULL"
)

_ATTEMPT = """
INSERT INTO webhook_attempts (job_id, url, at, status_code, duration_ms, response_excerpt,
    error) VALUES ($1, $2, $3, $4, $5, $6, $7)
"""


async def record_outcomes(c: Connection, outcomes: list[JobOutcome], now: float) -> None:
    accepted = [o for o in outcomes if isinstance(o, SendAccepted)]
    if accepted:
        sent = lifecycle.SENT_UPSTREAM
        await c.execute(
            _SENDS_ACCEPTED,
            [o.job.id for o in accepted],
            [o.job.ref for o in accepted],
            [o.meta_wamid for o in accepted],
            now,
            lifecycle.rank(sent),
            sent,
        )
    delivered = [
        o
        for o in outcomes
        if isinstance(o, DeliveryAttempted) and o.done and o.attempt.error is None
    ]
    if delivered:
        await c.execute(
            _DELIVERIES_DONE,
            [o.job.id for o in delivered],
            [o.attempt.at for o in delivered],
            [o.attempt.url for o in delivered],
            [o.attempt.status_code for o in delivered],
            [o.attempt.duration_ms for o in delivered],
        )
    for outcome in outcomes:
        if isinstance(outcome, SendSettled):
            await _settle(c, outcome, now)
        elif isinstance(outcome, Rescheduled):
            # Not started any more: a send rescheduled provably never left.
            await c.execute(
                "UPDATE jobs SET run_at = $1, lease_until = NULL, started_at = NULL, "
                "last_error = $2 WHERE id = $3",
                outcome.run_at,
                outcome.reason,
                outcome.job.id,
            )
        elif isinstance(outcome, DeliveryAttempted) and not (
            outcome.done and outcome.attempt.error is None
        ):
            await _attempted(c, outcome, now)


async def _settle(c: Connection, outcome: SendSettled, now: float) -> None:
    job, status = outcome.job, outcome.status
    relay = (now, outcome.relay_body, "client_webhook")  # $1-$3, as RELAY reads them
    await c.execute(
        _SEND_SETTLED,
        *relay,
        job.id,
        status,
        lifecycle.rank(status),
        outcome.error,
        job.ref,
        lifecycle.rank(lifecycle.DELIVERED),
    )


async def _attempted(c: Connection, outcome: DeliveryAttempted, now: float) -> None:
    a, job = outcome.attempt, outcome.job
    await c.execute(
        _ATTEMPT, a.job_id, a.url, a.at, a.status_code, a.duration_ms, a.response_excerpt, a.error
    )
    if outcome.done:
        await c.execute("UPDATE jobs SET state = 'done', lease_until = NULL WHERE id = $1", job.id)
    elif outcome.retry_at is not None:
        await c.execute(
            "UPDATE jobs SET run_at = $1, lease_until = NULL, last_error = $2 WHERE id = $3",
            outcome.retry_at,
            a.error,
            job.id,
        )
    else:
        await c.execute(
            "UPDATE jobs SET state = 'failed', lease_until = NULL, last_error = $1 WHERE id = $2",
            a.error,
            job.id,
        )
        if job.ordering_key is not None:
            # Order holds past the retry window: the message's later webhooks wait
            # behind this one, failed with it, and a replay re-opens them in order.
            await c.execute(
                "UPDATE jobs SET state = 'failed', lease_until = NULL, last_error = $1 "
                "WHERE ordering_key = $2 AND state = 'pending' AND id > $3",
                HELD_BEHIND_FAILED,
                job.ordering_key,
                job.id,
            )
    if outcome.hold_endpoint and a.url:
        await c.execute(
            "INSERT INTO endpoint_holds (url, reason, held_at) VALUES ($1, $2, $3) "
            "ON CONFLICT (url) DO NOTHING",
            a.url,
            ENDPOINT_HELD,
            now,
        )
