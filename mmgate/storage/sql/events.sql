-- Events relayed as they come (template and account updates, clicks, inbound user
-- messages): each one is a webhook job, queued only when its receiver has a webhook URL.
-- `tenant` is whose job it is (claims take turns across tenants). Behind a delivery of
-- the same ordering key that failed for good, the event fails too, unattempted: order
-- holds past the retry window, and a replay re-opens them together.

-- name: record_partner_event
-- dialect: sqlite
INSERT INTO jobs (kind, ref, tenant, ordering_key, run_at, payload, created_at, state,
    last_error)
SELECT 'partner_webhook', p.id, p.id, :ordering_key, :now, :body, :now,
    CASE WHEN f.id IS NULL THEN 'pending' ELSE 'failed' END,
    CASE WHEN f.id IS NULL THEN NULL ELSE :held_behind END
FROM partners p LEFT JOIN (SELECT id FROM jobs WHERE ordering_key = :ordering_key
    AND state = 'failed' LIMIT 1) f
WHERE p.id = :partner_id AND p.webhook_url IS NOT NULL;

-- name: record_partner_event
-- dialect: postgres
-- Job ids are drawn at insert, not at commit: locking the partner first makes the next
-- insert for its ordering key wait for this commit, so it draws a larger id.
WITH partner AS (
    SELECT id FROM partners WHERE id = :partner_id AND webhook_url IS NOT NULL FOR UPDATE
), behind AS (
    SELECT EXISTS (SELECT 1 FROM jobs WHERE ordering_key = :ordering_key
        AND state = 'failed') AS failed
)
INSERT INTO jobs (kind, ref, tenant, ordering_key, run_at, payload, created_at, state,
    last_error)
SELECT 'partner_webhook', id, id, :ordering_key, :now, :body, :now,
    CASE WHEN behind.failed THEN 'failed' ELSE 'pending' END,
    CASE WHEN behind.failed THEN :held_behind END
FROM partner, behind;

-- name: record_channel_event
-- dialect: sqlite
-- ordering_key: inbound user events are ordered after the message they answer (its
-- wamid) or per user (services/inbound.py); NULL for clicks.
INSERT INTO jobs (kind, ref, tenant, ordering_key, run_at, payload, created_at, state,
    last_error)
SELECT 'client_webhook', c.id, c.id, :ordering_key, :now, :body, :now,
    CASE WHEN f.id IS NULL THEN 'pending' ELSE 'failed' END,
    CASE WHEN f.id IS NULL THEN NULL ELSE :held_behind END
FROM channels c LEFT JOIN (SELECT id FROM jobs WHERE ordering_key = :ordering_key
    AND state = 'failed' LIMIT 1) f
WHERE c.id = :channel_id AND c.webhook_url IS NOT NULL;

-- name: record_channel_event
-- dialect: postgres
-- As record_partner_event: locking the channel orders ids of one ordering key by commit.
WITH channel AS (
    SELECT id FROM channels WHERE id = :channel_id AND webhook_url IS NOT NULL FOR UPDATE
), behind AS (
    SELECT EXISTS (SELECT 1 FROM jobs WHERE ordering_key = :ordering_key
        AND state = 'failed') AS failed
)
INSERT INTO jobs (kind, ref, tenant, ordering_key, run_at, payload, created_at, state,
    last_error)
SELECT 'client_webhook', id, id, :ordering_key, :now, :body, :now,
    CASE WHEN behind.failed THEN 'failed' ELSE 'pending' END,
    CASE WHEN behind.failed THEN :held_behind END
FROM channel, behind;
