"""What happens to a message after accept: its upstream send, then Meta's statuses.

Each write is one statement (CTEs), so it costs one round trip on the writer's
connection. Every relay job is inserted after its message row was updated, i.e.
while that row is locked: that keeps relay job ids in commit order per message
(see `outbox.py` for why ordering rests on that).
"""

from __future__ import annotations

from mmgate.domain import lifecycle
from mmgate.storage.port import CLIENT_WEBHOOK, Job, StatusUpdate
from mmgate.storage.postgres.engine import Connection, Database

_UPSTREAM_ACCEPTED = """
WITH finished AS (DELETE FROM jobs WHERE id = $1),
moved AS (
    UPDATE messages SET meta_wamid = $2, updated_at = $3,
        status = CASE WHEN status_rank < $4 THEN $5 ELSE status END,
        status_rank = GREATEST(status_rank, $4)
    WHERE wamid = $6
)
INSERT INTO message_events (wamid, status, at, detail) VALUES ($6, $5, $3, $2)
"""

# The client webhook relaying a status of the message `moved`, when its channel has a
# webhook URL. Parameters: $1 now, $2 the body, $3 the job kind. Statuses of one
# message share an ordering key so they go out in lifecycle order, unless the
# channel opted into chaos: then they race, up to 3 s apart.
_RELAY = """
INSERT INTO jobs (kind, ref, ordering_key, run_at, payload, created_at)
SELECT $3::text, moved.channel_id,
    CASE WHEN ch.chaos_out_of_order THEN NULL ELSE moved.wamid END,
    CASE WHEN ch.chaos_out_of_order THEN $1 + floor(random() * 3000) / 1000 ELSE $1 END,
    $2::bytea, $1
FROM moved JOIN channels ch ON ch.id = moved.channel_id
WHERE ch.webhook_url IS NOT NULL
"""

# The upstream outcome is final (failed, expired, unknown): it sets the status as is,
# and is relayed when there is a body to relay.
_UPSTREAM_SETTLED = (
    """
WITH finished AS (DELETE FROM jobs WHERE id = $4),
moved AS (
    UPDATE messages SET status = $5, status_rank = $6, error = $7, updated_at = $1
    WHERE wamid = $8
    RETURNING wamid, channel_id
),
event AS (INSERT INTO message_events (wamid, status, at, detail) VALUES ($8, $5, $1, $7))
"""
    + _RELAY
    + " AND $2::bytea IS NOT NULL"
)

# A status only moves forward by rank; the route taken is learnt once, from the
# first status that tells it. Every status of a known message is still recorded
# and relayed. Answers 1 when the message is known, else 0.
_RECORD_STATUS = (
    """
WITH moved AS (
    UPDATE messages SET updated_at = $1,
        status = CASE WHEN status_rank < $4 THEN $5 ELSE status END,
        status_rank = GREATEST(status_rank, $4),
        route_taken = COALESCE(route_taken, $6),
        error = COALESCE($7, error)
    WHERE wamid = $8
        -- a redelivered webhook (Meta retried it) is recorded and relayed once
        AND NOT EXISTS (SELECT 1 FROM message_events e WHERE e.wamid = $8 AND e.status = $5)
    RETURNING wamid, channel_id
),
event AS (
    INSERT INTO message_events (wamid, status, at, detail)
    SELECT wamid, $5::text, $9::double precision, $7::text FROM moved
),
relay AS ("""
    + _RELAY
    + """)
SELECT count(*) FROM moved
"""
)


class Lifecycle:
    db: Database

    async def upstream_accepted(self, job: Job, meta_wamid: str, now: float) -> None:
        sent = lifecycle.SENT_UPSTREAM
        await self.db.write(
            lambda c: c.execute(
                _UPSTREAM_ACCEPTED, job.id, meta_wamid, now, lifecycle.rank(sent), sent, job.ref
            )
        )

    async def upstream_settled(
        self, job: Job, status: str, error: str | None, relay_body: bytes | None, now: float
    ) -> None:
        relay = (now, relay_body, CLIENT_WEBHOOK)  # $1-$3, as _RELAY reads them
        rank = lifecycle.rank(status)
        await self.db.write(
            lambda c: c.execute(_UPSTREAM_SETTLED, *relay, job.id, status, rank, error, job.ref)
        )

    async def record_statuses(self, updates: list[StatusUpdate], now: float) -> int:
        async def run(c: Connection) -> int:
            known = 0
            for u in updates:
                relay = (now, u.relay_body, CLIENT_WEBHOOK)  # $1-$3, as _RELAY reads them
                rank = lifecycle.rank(u.status)
                known += await c.fetchval(
                    _RECORD_STATUS, *relay, rank, u.status, u.route_taken, u.error, u.wamid, u.at
                )
            return known

        return await self.db.write(run)

    async def wamid_for_meta(self, meta_wamid: str) -> str | None:
        wamid = await self.db.read(
            lambda c: c.fetchval("SELECT wamid FROM messages WHERE meta_wamid = $1", meta_wamid)
        )
        return None if wamid is None else str(wamid)
