"""The webhook log: the deliveries a partner can see, and replaying them."""

from __future__ import annotations

from mmgate.storage.port import WebhookDelivery
from mmgate.storage.postgres.engine import Database

# Jobs that deliver to partner $1: its own webhooks and those of its clients' channels.
PARTNER_JOBS = """(
  (j.kind = 'partner_webhook' AND j.ref = $1) OR
  (j.kind = 'client_webhook' AND j.ref IN (
     SELECT c.id FROM channels c JOIN wabas w ON w.id = c.waba_id
     JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = $1)))"""

DELIVERY_SELECT = """
SELECT j.id, j.kind, j.ref, j.ordering_key, j.state, j.attempts, j.run_at, j.created_at,
    j.last_error, j.payload
FROM jobs j
"""

_DELIVERY = f"{DELIVERY_SELECT} WHERE {PARTNER_JOBS} AND j.id = $2"

_DELIVERIES = f"""{DELIVERY_SELECT}
WHERE {PARTNER_JOBS}
  AND ($2::text IS NULL OR j.state = $2)
  AND ($3::text IS NULL OR (j.kind = 'client_webhook' AND j.ref = $3))
  AND ($4::double precision IS NULL OR j.created_at >= $4)
ORDER BY j.id DESC
LIMIT $5
"""

# A replay re-opens the delivery in place: same id (so per-message order and the
# attempt history are kept) with a fresh retry window, together with the message's
# other failed webhooks (held behind it, or holding it back), and lifts the 410 hold on
# the endpoints it goes to. Of two replays at once (two processes), the second waits
# for the first, then finds the job pending and skips it.
# Parameters: $1 partner, $2 now, then those of the chosen deliveries.
_REPLAY = """
WITH chosen AS (
    SELECT j.id, j.ordering_key, j.kind, j.ref FROM jobs j
    WHERE {chosen} AND {partner_jobs}
      AND j.kind IN ('client_webhook', 'partner_webhook') AND j.state IN ('failed', 'done')
), released AS (
    DELETE FROM endpoint_holds WHERE url IN (
        SELECT ch.webhook_url FROM chosen JOIN channels ch ON ch.id = chosen.ref
        AND chosen.kind = 'client_webhook'
        UNION SELECT p.webhook_url FROM chosen JOIN partners p ON p.id = chosen.ref
        AND chosen.kind = 'partner_webhook')
), replayed AS (
    UPDATE jobs j SET state = 'pending', run_at = $2, lease_until = NULL, created_at = $2,
        last_error = 'replayed'
    WHERE j.id IN (SELECT id FROM chosen)
       OR (j.state = 'failed' AND j.ordering_key IN
           (SELECT ordering_key FROM chosen WHERE ordering_key IS NOT NULL))
    RETURNING 1
)
SELECT count(*) FROM replayed
"""
_REPLAY_ONE = _REPLAY.format(chosen="j.id = $3", partner_jobs=PARTNER_JOBS)
_REPLAY_FAILED = _REPLAY.format(
    chosen="j.state = 'failed' AND j.created_at >= $3 "
    "AND ($4::text IS NULL OR (j.kind = 'client_webhook' AND j.ref = $4))",
    partner_jobs=PARTNER_JOBS,
)


class DeliveryLog:
    db: Database

    async def webhook_deliveries(
        self,
        partner_id: str,
        *,
        state: str | None = None,
        channel_id: str | None = None,
        since: float | None = None,
        limit: int = 100,
    ) -> list[WebhookDelivery]:
        found = await self.db.read(
            lambda c: c.fetch(_DELIVERIES, partner_id, state, channel_id, since, limit)
        )
        return [WebhookDelivery(*r) for r in found]

    async def webhook_delivery(self, partner_id: str, job_id: int) -> WebhookDelivery | None:
        row = await self.db.read(lambda c: c.fetchrow(_DELIVERY, partner_id, job_id))
        return None if row is None else WebhookDelivery(*row)

    async def replay_delivery(self, partner_id: str, job_id: int, now: float) -> bool:
        replayed = await self.db.write(lambda c: c.fetchval(_REPLAY_ONE, partner_id, now, job_id))
        return bool(replayed >= 1)

    async def replay_failed(
        self, partner_id: str, *, channel_id: str | None, since: float, now: float
    ) -> int:
        replayed = await self.db.write(
            lambda c: c.fetchval(_REPLAY_FAILED, partner_id, now, since, channel_id)
        )
        return int(replayed)
