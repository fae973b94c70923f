"""What happens to a message after accept: its upstream send, then Meta's statuses.

Each write is one statement (CTEs), so it costs one round trip on the writer's
connection. Every relay job is inserted after its message row was updated, i.e.
while that row is locked: that keeps relay job ids in commit order per message
(see `outbox.py` for why ordering rests on that).
"""

from __future__ import annotations

from mmgate.domain import lifecycle
from mmgate.storage.port import CLIENT_WEBHOOK, Overdue, OverdueRelay, StatusUpdate
from mmgate.storage.postgres.engine import Connection, Database
from mmgate.storage.postgres.relay import RELAY

_OVERDUE = """
SELECT m.wamid, m.status, m.recipient, ch.phone_number_id, ch.display_phone_number,
    ch.waba_id, m.payload, m.expires_at
FROM messages m JOIN channels ch ON ch.id = m.channel_id
WHERE m.status_rank < $1 AND m.expires_at <= $2 LIMIT $3
FOR UPDATE OF m SKIP LOCKED
"""

_EXPIRE = """
WITH moved AS (
    UPDATE messages SET status = $2, status_rank = $3, updated_at = $4
    WHERE wamid = ANY($1::text[]) RETURNING wamid, expires_at
)
INSERT INTO message_events (wamid, status, at, detail)  -- at: the TTL's end
SELECT wamid, $2, expires_at, 'ttl ended before delivery' FROM moved
"""

_RELAY_ONE = "WITH moved AS (SELECT wamid, channel_id FROM messages WHERE wamid = $4) " + RELAY

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
    + RELAY
    + """)
SELECT count(*) FROM moved
"""
)


class Lifecycle:
    db: Database

    async def expire_overdue(self, now: float, limit: int, relay: OverdueRelay) -> int:
        async def run(c: Connection) -> int:
            rows = await c.fetch(_OVERDUE, lifecycle.rank(lifecycle.DELIVERED), now, limit)
            if not rows:
                return 0
            expired = lifecycle.EXPIRED
            await c.execute(_EXPIRE, [r[0] for r in rows], expired, lifecycle.rank(expired), now)
            for row in rows:
                overdue = Overdue(*row)
                body = relay(overdue)
                if body is not None:
                    await c.execute(_RELAY_ONE, now, body, CLIENT_WEBHOOK, overdue.wamid)
            return len(rows)

        return await self.db.write(run)

    async def record_statuses(self, updates: list[StatusUpdate], now: float) -> int:
        async def run(c: Connection) -> int:
            known = 0
            for u in updates:
                relay = (now, u.relay_body, CLIENT_WEBHOOK)  # $1-$3, as RELAY reads them
                rank = lifecycle.rank(u.status)
                known += await c.fetchval(
                    _RECORD_STATUS, *relay, rank, u.status, u.route_taken, u.error, u.wamid, u.at
                )
            return known

        return await self.db.write(run)
