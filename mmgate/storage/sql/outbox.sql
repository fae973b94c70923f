-- name: due
-- Whether a job of this kind could be claimed now, by the rules `claim` leases by:
-- due, not leased, and no earlier job of its ordering key pending or failed (a failure
-- for good holds the message's later webhooks back, so per-message order survives the
-- retry window). A quiet kind's worker asks this before it writes a claim.
SELECT EXISTS (
    SELECT 1 FROM jobs j
    WHERE j.kind = :kind AND j.state = 'pending' AND j.run_at <= :now
    AND (j.lease_until IS NULL OR j.lease_until < :now)
    AND (j.ordering_key IS NULL OR (
        NOT EXISTS (SELECT 1 FROM jobs p WHERE p.ordering_key = j.ordering_key
            AND p.state = 'pending' AND p.id < j.id)
        AND NOT EXISTS (SELECT 1 FROM jobs p WHERE p.ordering_key = j.ordering_key
            AND p.state = 'failed' AND p.id < j.id)))
);

-- name: held_endpoints
-- Webhook URLs whose receiver answered 410 Gone: nothing is sent to them until released.
SELECT url FROM endpoint_holds;

-- name: job_attempts
-- Every attempt of a webhook job, oldest first: a failed one has its own row, the one
-- that succeeded is kept on the job itself (the compact log's done_* columns).
SELECT job_id, url, at, status_code, duration_ms, response_excerpt, error
FROM webhook_attempts WHERE job_id = :job_id
UNION ALL
SELECT id, done_url, done_at, done_status_code, done_duration_ms, NULL, NULL
FROM jobs WHERE id = :job_id AND done_at IS NOT NULL
ORDER BY 3;
