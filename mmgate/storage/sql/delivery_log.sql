-- The webhook log: the deliveries a partner can see, and replaying them. A partner's
-- deliveries are its own webhooks and those of its clients' channels.

-- name: webhook_deliveries
SELECT j.id, j.kind, j.ref, j.ordering_key, j.state, j.attempts, j.run_at, j.created_at,
    j.last_error, j.payload
FROM jobs j
WHERE ((j.kind = 'partner_webhook' AND j.ref = :partner_id)
    OR (j.kind = 'client_webhook' AND j.ref IN (
        SELECT ch.id FROM channels ch JOIN wabas w ON w.id = ch.waba_id
        JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = :partner_id)))
  AND (CAST(:state AS TEXT) IS NULL OR j.state = :state)
  AND (CAST(:channel_id AS TEXT) IS NULL OR (j.kind = 'client_webhook' AND j.ref = :channel_id))
  AND (CAST(:since AS DOUBLE PRECISION) IS NULL OR j.created_at >= :since)
ORDER BY j.id DESC
LIMIT :limit;

-- name: webhook_delivery
SELECT j.id, j.kind, j.ref, j.ordering_key, j.state, j.attempts, j.run_at, j.created_at,
    j.last_error, j.payload
FROM jobs j
WHERE j.id = :job_id
  AND ((j.kind = 'partner_webhook' AND j.ref = :partner_id)
    OR (j.kind = 'client_webhook' AND j.ref IN (
        SELECT ch.id FROM channels ch JOIN wabas w ON w.id = ch.waba_id
        JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = :partner_id)));

-- A replay re-opens deliveries in place: same id (so per-message order and the attempt
-- history are kept) with a fresh retry window, together with the message's other failed
-- webhooks (held behind it, or holding it back), and lifts the 410 hold on the endpoints
-- they go to (the hold is released first, while the chosen deliveries are still failed
-- or done). The state is checked on the updated row itself: of two replays at once (two
-- processes) on PostgreSQL, the second waits for the first, then finds the job pending
-- and skips it.

-- name: release_holds_for_delivery
WITH chosen AS (
    SELECT j.id, j.ordering_key, j.kind, j.ref FROM jobs j
    WHERE j.id = :job_id
      AND j.kind IN ('client_webhook', 'partner_webhook') AND j.state IN ('failed', 'done')
      AND ((j.kind = 'partner_webhook' AND j.ref = :partner_id)
        OR (j.kind = 'client_webhook' AND j.ref IN (
            SELECT ch.id FROM channels ch JOIN wabas w ON w.id = ch.waba_id
            JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = :partner_id)))
)
DELETE FROM endpoint_holds WHERE url IN (
    SELECT ch.webhook_url FROM chosen JOIN channels ch
        ON ch.id = chosen.ref AND chosen.kind = 'client_webhook'
    UNION
    SELECT p.webhook_url FROM chosen JOIN partners p
        ON p.id = chosen.ref AND chosen.kind = 'partner_webhook');

-- name: replay_delivery
WITH chosen AS (
    SELECT j.id, j.ordering_key, j.kind, j.ref FROM jobs j
    WHERE j.id = :job_id
      AND j.kind IN ('client_webhook', 'partner_webhook') AND j.state IN ('failed', 'done')
      AND ((j.kind = 'partner_webhook' AND j.ref = :partner_id)
        OR (j.kind = 'client_webhook' AND j.ref IN (
            SELECT ch.id FROM channels ch JOIN wabas w ON w.id = ch.waba_id
            JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = :partner_id)))
)
UPDATE jobs SET state = 'pending', run_at = :now, lease_until = NULL, created_at = :now,
    last_error = 'replayed'
WHERE (id IN (SELECT id FROM chosen) AND state IN ('failed', 'done'))
   OR (state = 'failed'
       AND ordering_key IN (SELECT ordering_key FROM chosen WHERE ordering_key IS NOT NULL))
RETURNING 1;

-- name: release_holds_for_failed
-- As for one delivery, for every failed one since :since (of one channel, or all).
WITH chosen AS (
    SELECT j.id, j.ordering_key, j.kind, j.ref FROM jobs j
    WHERE j.state = 'failed' AND j.created_at >= :since
      AND (CAST(:channel_id AS TEXT) IS NULL
           OR (j.kind = 'client_webhook' AND j.ref = :channel_id))
      AND j.kind IN ('client_webhook', 'partner_webhook') AND j.state IN ('failed', 'done')
      AND ((j.kind = 'partner_webhook' AND j.ref = :partner_id)
        OR (j.kind = 'client_webhook' AND j.ref IN (
            SELECT ch.id FROM channels ch JOIN wabas w ON w.id = ch.waba_id
            JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = :partner_id)))
)
DELETE FROM endpoint_holds WHERE url IN (
    SELECT ch.webhook_url FROM chosen JOIN channels ch
        ON ch.id = chosen.ref AND chosen.kind = 'client_webhook'
    UNION
    SELECT p.webhook_url FROM chosen JOIN partners p
        ON p.id = chosen.ref AND chosen.kind = 'partner_webhook');

-- name: replay_failed
WITH chosen AS (
    SELECT j.id, j.ordering_key, j.kind, j.ref FROM jobs j
    WHERE j.state = 'failed' AND j.created_at >= :since
      AND (CAST(:channel_id AS TEXT) IS NULL
           OR (j.kind = 'client_webhook' AND j.ref = :channel_id))
      AND j.kind IN ('client_webhook', 'partner_webhook') AND j.state IN ('failed', 'done')
      AND ((j.kind = 'partner_webhook' AND j.ref = :partner_id)
        OR (j.kind = 'client_webhook' AND j.ref IN (
            SELECT ch.id FROM channels ch JOIN wabas w ON w.id = ch.waba_id
            JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = :partner_id)))
)
UPDATE jobs SET state = 'pending', run_at = :now, lease_until = NULL, created_at = :now,
    last_error = 'replayed'
WHERE (id IN (SELECT id FROM chosen) AND state IN ('failed', 'done'))
   OR (state = 'failed'
       AND ordering_key IN (SELECT ordering_key FROM chosen WHERE ordering_key IS NOT NULL))
RETURNING 1;
