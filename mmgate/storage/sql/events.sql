-- Events relayed as they come (template and account updates, clicks): each one is a
-- webhook job, queued only when its receiver has a webhook URL.

-- name: record_partner_event
-- dialect: sqlite
INSERT INTO jobs (kind, ref, ordering_key, run_at, payload, created_at)
SELECT 'partner_webhook', id, :ordering_key, :now, :body, :now
FROM partners WHERE id = :partner_id AND webhook_url IS NOT NULL;

-- name: record_partner_event
-- dialect: postgres
-- Job ids are drawn at insert, not at commit: locking the partner first makes the next
-- insert for its ordering key wait for this commit, so it draws a larger id.
WITH partner AS (
    SELECT id FROM partners WHERE id = :partner_id AND webhook_url IS NOT NULL FOR UPDATE
)
INSERT INTO jobs (kind, ref, ordering_key, run_at, payload, created_at)
SELECT 'partner_webhook', id, :ordering_key, :now, :body, :now FROM partner;

-- name: record_channel_event
-- dialect: sqlite
-- ordering_key: inbound user events are ordered after the message they answer (its
-- wamid) or per user (helper 15's relay, services/inbound.py); NULL for clicks.
INSERT INTO jobs (kind, ref, ordering_key, run_at, payload, created_at)
SELECT 'client_webhook', id, :ordering_key, :now, :body, :now
FROM channels WHERE id = :channel_id AND webhook_url IS NOT NULL;

-- name: record_channel_event
-- dialect: postgres
-- As record_partner_event: locking the channel orders ids of one ordering key by commit.
WITH channel AS (
    SELECT id FROM channels WHERE id = :channel_id AND webhook_url IS NOT NULL FOR UPDATE
)
INSERT INTO jobs (kind, ref, ordering_key, run_at, payload, created_at)
SELECT 'client_webhook', id, :ordering_key, :now, :body, :now FROM channel;
