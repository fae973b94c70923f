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
INSERT INTO jobs (kind, ref, run_at, payload, created_at)
SELECT 'client_webhook', id, :now, :body, :now
FROM channels WHERE id = :channel_id AND webhook_url IS NOT NULL;
