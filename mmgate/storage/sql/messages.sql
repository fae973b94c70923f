-- name: message
-- A channel's message, for the API that reads it back (its timeline: `message_events`).
-- Another channel's message: no row.
SELECT wamid, channel_id, recipient, entry_point, type, template_name, category,
    route_requested, route_taken, status, meta_wamid, ttl_seconds, expires_at, error,
    created_at
FROM messages WHERE wamid = :wamid AND channel_id = :channel_id;

-- name: wamid_for_meta
-- Our wamid for the one Meta answered when it took the send (its statuses name theirs).
SELECT wamid FROM messages WHERE meta_wamid = :meta_wamid;
