-- The Partner Hub: its users and session secret, and its read models (message log,
-- timeline, funnel, clicks, API keys). Every read is scoped to one partner.

-- name: save_hub_secret
INSERT INTO hub_secret (id, session_secret) VALUES (1, :candidate) ON CONFLICT (id) DO NOTHING;

-- name: hub_secret
-- A statement of its own after save_hub_secret: it sees a secret another process stored.
SELECT session_secret FROM hub_secret;

-- name: save_hub_user
-- Creates the user, or sets a new password (ending its sessions); never moves a user to
-- another partner. The e-mail column's collation (nocase) makes the conflict and every
-- look-up ignore case.
INSERT INTO hub_users (partner_id, email, password_hash, created_at)
SELECT CAST(:partner_id AS TEXT), CAST(:email AS TEXT), CAST(:password_hash AS TEXT),
    CAST(:now AS DOUBLE PRECISION)
WHERE EXISTS (SELECT 1 FROM partners WHERE id = :partner_id)
ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash,
    session_generation = hub_users.session_generation + 1
WHERE hub_users.partner_id = excluded.partner_id
RETURNING id;

-- name: hub_user_by_email
SELECT id, partner_id, email, password_hash, session_generation FROM hub_users
WHERE email = :email;

-- name: hub_user
SELECT id, partner_id, email, password_hash, session_generation FROM hub_users
WHERE id = :user_id;

-- name: end_hub_sessions
UPDATE hub_users SET session_generation = session_generation + 1 WHERE id = :user_id;

-- name: hub_messages
-- The message log, newest first; a NULL filter matches any message.
SELECT m.wamid, m.channel_id, c.display_phone_number, m.recipient, m.entry_point,
    m.template_name, m.category, m.route_requested, m.route_taken, m.status, m.error,
    m.created_at, m.updated_at
FROM messages m JOIN channels c ON c.id = m.channel_id
WHERE m.channel_id IN (
        SELECT ch.id FROM channels ch JOIN wabas w ON w.id = ch.waba_id
        JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = :partner_id)
  AND (CAST(:status AS TEXT) IS NULL OR m.status = :status)
  AND (CAST(:route_requested AS TEXT) IS NULL OR m.route_requested = :route_requested)
  AND (CAST(:route_taken AS TEXT) IS NULL OR m.route_taken = :route_taken
       OR (:route_taken = 'unknown' AND m.route_taken IS NULL))
  AND (CAST(:template_name AS TEXT) IS NULL OR m.template_name = :template_name)
  AND (CAST(:channel_id AS TEXT) IS NULL OR m.channel_id = :channel_id)
  AND (CAST(:since AS DOUBLE PRECISION) IS NULL OR m.created_at >= :since)
  AND (CAST(:until AS DOUBLE PRECISION) IS NULL OR m.created_at < :until)
ORDER BY m.created_at DESC, m.rowid DESC
LIMIT :limit OFFSET :offset;

-- name: hub_message
-- The message log's columns, then the detail's.
SELECT m.wamid, m.channel_id, c.display_phone_number, m.recipient, m.entry_point,
    m.template_name, m.category, m.route_requested, m.route_taken, m.status, m.error,
    m.created_at, m.updated_at,
    m.template_language, m.upstream_endpoint, m.meta_wamid, m.ttl_seconds, m.expires_at,
    m.payload
FROM messages m JOIN channels c ON c.id = m.channel_id
WHERE m.wamid = :wamid AND m.channel_id IN (
    SELECT ch.id FROM channels ch JOIN wabas w ON w.id = ch.waba_id
    JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = :partner_id);

-- name: message_events
SELECT status, at, detail FROM message_events WHERE wamid = :wamid ORDER BY id;

-- name: hub_message_deliveries
-- dialect: sqlite
-- A message's status webhooks share its ordering key; unordered ones (chaos mode) have
-- none and are found by their body.
SELECT j.id, j.kind, j.ref, j.ordering_key, j.state, j.attempts, j.run_at, j.created_at,
    j.last_error, j.payload
FROM jobs j
WHERE j.kind = 'client_webhook'
  AND (j.ordering_key = :wamid
       OR (j.ordering_key IS NULL AND instr(CAST(j.payload AS TEXT), :wamid) > 0))
  AND j.ref IN (
      SELECT ch.id FROM channels ch JOIN wabas w ON w.id = ch.waba_id
      JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = :partner_id)
ORDER BY j.id;

-- name: hub_message_deliveries
-- dialect: postgres
SELECT j.id, j.kind, j.ref, j.ordering_key, j.state, j.attempts, j.run_at, j.created_at,
    j.last_error, j.payload
FROM jobs j
WHERE j.kind = 'client_webhook'
  AND (j.ordering_key = :wamid
       OR (j.ordering_key IS NULL AND position(convert_to(:wamid, 'UTF8') IN j.payload) > 0))
  AND j.ref IN (
      SELECT ch.id FROM channels ch JOIN wabas w ON w.id = ch.waba_id
      JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = :partner_id)
ORDER BY j.id;

-- name: hub_template_names
-- Templates known for the partner's WABAs, and those its messages named.
SELECT t.name FROM templates t JOIN wabas w ON w.id = t.waba_id
JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = :partner_id
UNION
SELECT m.template_name FROM messages m
WHERE m.template_name IS NOT NULL AND m.channel_id IN (
    SELECT ch.id FROM channels ch JOIN wabas w ON w.id = ch.waba_id
    JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = :partner_id);

-- name: hub_funnel
-- dialect: sqlite
-- Messages accepted per UTC day, template and route (taken, else requested), and how
-- far they got: a message counts as sent once Meta reported it sent or anything later,
-- in any order.
SELECT date(m.created_at, 'unixepoch'), m.template_name,
    COALESCE(m.route_taken, m.route_requested), count(*),
    sum(EXISTS (SELECT 1 FROM message_events e
                WHERE e.wamid = m.wamid AND e.status IN ('sent', 'delivered', 'read'))),
    sum(EXISTS (SELECT 1 FROM message_events e
                WHERE e.wamid = m.wamid AND e.status IN ('delivered', 'read'))),
    sum(EXISTS (SELECT 1 FROM message_events e WHERE e.wamid = m.wamid AND e.status = 'read')),
    sum(m.status = 'failed'), sum(m.status = 'expired')
FROM messages m
WHERE m.channel_id IN (
        SELECT ch.id FROM channels ch JOIN wabas w ON w.id = ch.waba_id
        JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = :partner_id)
  AND m.created_at >= :since AND m.created_at < :until
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3;

-- name: hub_funnel
-- dialect: postgres
-- Text sorts COLLATE "C" and NULLs first, as SQLite sorts.
SELECT to_char(to_timestamp(m.created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), m.template_name,
    COALESCE(m.route_taken, m.route_requested), count(*),
    count(*) FILTER (WHERE EXISTS (SELECT 1 FROM message_events e
        WHERE e.wamid = m.wamid AND e.status IN ('sent', 'delivered', 'read'))),
    count(*) FILTER (WHERE EXISTS (SELECT 1 FROM message_events e
        WHERE e.wamid = m.wamid AND e.status IN ('delivered', 'read'))),
    count(*) FILTER (WHERE EXISTS (SELECT 1 FROM message_events e
        WHERE e.wamid = m.wamid AND e.status = 'read')),
    count(*) FILTER (WHERE m.status = 'failed'),
    count(*) FILTER (WHERE m.status = 'expired')
FROM messages m
WHERE m.channel_id IN (
        SELECT ch.id FROM channels ch JOIN wabas w ON w.id = ch.waba_id
        JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = :partner_id)
  AND m.created_at >= :since AND m.created_at < :until
GROUP BY 1, 2, 3
ORDER BY 1, m.template_name COLLATE "C" NULLS FIRST,
    COALESCE(m.route_taken, m.route_requested) COLLATE "C";

-- name: hub_click_events
-- dialect: sqlite
-- Click events are the relayed channel webhooks without an ordering key that carry
-- `user_actions`; the gateway keeps no other record of them.
SELECT date(j.created_at, 'unixepoch'), j.ref, j.payload FROM jobs j
WHERE j.kind = 'client_webhook' AND j.ordering_key IS NULL
  AND j.ref IN (
      SELECT ch.id FROM channels ch JOIN wabas w ON w.id = ch.waba_id
      JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = :partner_id)
  AND j.created_at >= :since AND j.created_at < :until
  AND instr(CAST(j.payload AS TEXT), 'user_actions') > 0
ORDER BY j.id;

-- name: hub_click_events
-- dialect: postgres
SELECT to_char(to_timestamp(j.created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), j.ref, j.payload
FROM jobs j
WHERE j.kind = 'client_webhook' AND j.ordering_key IS NULL
  AND j.ref IN (
      SELECT ch.id FROM channels ch JOIN wabas w ON w.id = ch.waba_id
      JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = :partner_id)
  AND j.created_at >= :since AND j.created_at < :until
  AND position('user_actions'::bytea IN j.payload) > 0
ORDER BY j.id;

-- name: hub_api_keys
SELECT key_hash, channel_id, label, hint, created_at, revoked_at, expires_at FROM api_keys
WHERE channel_id IN (
    SELECT ch.id FROM channels ch JOIN wabas w ON w.id = ch.waba_id
    JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = :partner_id)
ORDER BY created_at, rowid;

-- name: hub_revoke_api_key
-- Revokes a key of one of the partner's channels; its channel id.
UPDATE api_keys SET revoked_at = :now
WHERE key_hash = :key_hash AND revoked_at IS NULL AND channel_id IN (
    SELECT ch.id FROM channels ch JOIN wabas w ON w.id = ch.waba_id
    JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = :partner_id)
RETURNING channel_id;
