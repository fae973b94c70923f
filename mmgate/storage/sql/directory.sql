-- The directory: partners, their clients, WABAs, channels and API keys, and the
-- upstream credentials. Text sorts differ between the databases' collations, so
-- lists that must come out sorted by text are sorted by the store, bytewise.

-- name: save_partner
-- Provisioning runs again whenever a seed is loaded: it updates in place. The
-- onboarding token, once issued, survives a run that does not name one.
INSERT INTO partners (id, name, key_hash, webhook_url, webhook_secret, marketing_routing,
    created_at, onboarding_token)
VALUES (:id, :name, :key_hash, :webhook_url, :webhook_secret, :marketing_routing,
    :now, :onboarding_token)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, key_hash = excluded.key_hash,
    webhook_url = excluded.webhook_url, webhook_secret = excluded.webhook_secret,
    onboarding_token = COALESCE(excluded.onboarding_token, partners.onboarding_token);

-- name: save_client
INSERT INTO clients (business_id, partner_id, name) VALUES (:business_id, :partner_id, :name)
ON CONFLICT (business_id) DO UPDATE SET name = excluded.name;

-- name: save_waba
INSERT INTO wabas (id, business_id, name) VALUES (:waba_id, :business_id, :name)
ON CONFLICT (id) DO UPDATE SET name = excluded.name;

-- name: save_channel
INSERT INTO channels (id, waba_id, phone_number_id, display_phone_number, webhook_url,
    webhook_headers, created_at)
VALUES (:id, :waba_id, :phone_number_id, :display_phone_number, :webhook_url,
    :webhook_headers, :now)
ON CONFLICT (id) DO UPDATE SET display_phone_number = excluded.display_phone_number;

-- name: add_api_key
INSERT INTO api_keys (key_hash, channel_id, created_at) VALUES (:key_hash, :channel_id, :now)
ON CONFLICT DO NOTHING;

-- name: save_upstream
INSERT INTO upstream (id, graph_token, app_secret, verify_token)
VALUES (1, :graph_token, :app_secret, :verify_token)
ON CONFLICT (id) DO UPDATE SET graph_token = excluded.graph_token,
    app_secret = excluded.app_secret, verify_token = excluded.verify_token;

-- name: upstream
SELECT graph_token, app_secret, verify_token FROM upstream;

-- name: any_partner
SELECT EXISTS (SELECT 1 FROM partners);

-- name: partner_by_id
SELECT id, name, webhook_url, webhook_secret, marketing_routing, onboarding_token,
    previous_webhook_secret, previous_secret_until
FROM partners WHERE id = :partner_id;

-- name: partner_for_key
SELECT id, name, webhook_url, webhook_secret, marketing_routing, onboarding_token,
    previous_webhook_secret, previous_secret_until
FROM partners WHERE key_hash = :key_hash;

-- name: partner_for_key_at
-- The current key, or the previous one while its overlap lasts.
SELECT id, name, webhook_url, webhook_secret, marketing_routing, onboarding_token,
    previous_webhook_secret, previous_secret_until
FROM partners
WHERE key_hash = :key_hash OR (previous_key_hash = :key_hash AND previous_key_until > :now);

-- name: partner_for_onboarding_token
SELECT id, name, webhook_url, webhook_secret, marketing_routing, onboarding_token,
    previous_webhook_secret, previous_secret_until
FROM partners WHERE onboarding_token = :token;

-- name: set_partner_webhook_url
UPDATE partners SET webhook_url = :webhook_url WHERE id = :partner_id;

-- name: set_partner_marketing_routing
UPDATE partners SET marketing_routing = :marketing_routing WHERE id = :partner_id;

-- name: rotate_webhook_secret
-- The old secret keeps signing until previous_until, so receivers can switch over.
UPDATE partners SET previous_webhook_secret = webhook_secret,
    previous_secret_until = :previous_until, webhook_secret = :new_secret
WHERE id = :partner_id;

-- name: rotate_partner_key
UPDATE partners SET previous_key_hash = key_hash, previous_key_until = :previous_until,
    key_hash = :new_key_hash
WHERE id = :partner_id;

-- name: clients_with_wabas
-- One row per WABA, or one with NULLs for a client without any.
SELECT cl.business_id, cl.name, w.id, w.name, w.mm_status
FROM clients cl LEFT JOIN wabas w ON w.business_id = cl.business_id
WHERE cl.partner_id = :partner_id;

-- name: waba_partner
SELECT cl.partner_id FROM wabas w JOIN clients cl ON cl.business_id = w.business_id
WHERE w.id = :waba_id;

-- name: set_waba_mm_status
UPDATE wabas SET mm_status = :status WHERE id = :waba_id;

-- name: channel_by_id
SELECT c.id, cl.partner_id, w.business_id, c.waba_id, c.phone_number_id,
    c.display_phone_number, c.webhook_url, c.webhook_headers, c.chaos_duplicates,
    c.chaos_out_of_order
FROM channels c JOIN wabas w ON w.id = c.waba_id JOIN clients cl ON cl.business_id = w.business_id
WHERE c.id = :channel_id;

-- name: channel_for_phone_number
SELECT c.id, cl.partner_id, w.business_id, c.waba_id, c.phone_number_id,
    c.display_phone_number, c.webhook_url, c.webhook_headers, c.chaos_duplicates,
    c.chaos_out_of_order
FROM channels c JOIN wabas w ON w.id = c.waba_id JOIN clients cl ON cl.business_id = w.business_id
WHERE c.phone_number_id = :phone_number_id;

-- name: channel_for_key
-- The channel of an API key that is not revoked, and the key's end of validity.
SELECT c.id, cl.partner_id, w.business_id, c.waba_id, c.phone_number_id,
    c.display_phone_number, c.webhook_url, c.webhook_headers, c.chaos_duplicates,
    c.chaos_out_of_order, k.expires_at
FROM api_keys k JOIN channels c ON c.id = k.channel_id JOIN wabas w ON w.id = c.waba_id
JOIN clients cl ON cl.business_id = w.business_id
WHERE k.key_hash = :key_hash AND k.revoked_at IS NULL;

-- name: partner_channels
SELECT c.id, cl.partner_id, w.business_id, c.waba_id, c.phone_number_id,
    c.display_phone_number, c.webhook_url, c.webhook_headers, c.chaos_duplicates,
    c.chaos_out_of_order
FROM channels c JOIN wabas w ON w.id = c.waba_id JOIN clients cl ON cl.business_id = w.business_id
WHERE cl.partner_id = :partner_id;

-- name: set_channel_webhook
UPDATE channels SET webhook_url = :url, webhook_headers = :headers,
    chaos_duplicates = :chaos_duplicates, chaos_out_of_order = :chaos_out_of_order
WHERE id = :channel_id;

-- name: release_endpoint
-- Setting a webhook URL (again) says its receiver takes traffic: a 410 hold on it ends
-- (also the operator's release of a held endpoint).
DELETE FROM endpoint_holds WHERE url = :url;

-- name: channel_keys
-- A channel of the partner: one row per key (oldest first), or one row of NULLs when
-- it has none. Another partner's channel: no row.
SELECT k.key_hash, k.channel_id, k.label, k.hint, k.created_at, k.revoked_at, k.expires_at
FROM channels ch JOIN wabas w ON w.id = ch.waba_id
JOIN clients cl ON cl.business_id = w.business_id
LEFT JOIN api_keys k ON k.channel_id = ch.id
WHERE ch.id = :channel_id AND cl.partner_id = :partner_id
ORDER BY k.created_at, k.rowid;

-- name: end_channel_keys
-- A rotation: the channel's active keys end at :until, or sooner if they already did.
UPDATE api_keys SET expires_at = CASE
        WHEN expires_at IS NOT NULL AND expires_at < :until THEN expires_at ELSE :until END
WHERE channel_id = :channel_id AND revoked_at IS NULL AND EXISTS (
    SELECT 1 FROM channels ch JOIN wabas w ON w.id = ch.waba_id
    JOIN clients cl ON cl.business_id = w.business_id
    WHERE ch.id = :channel_id AND cl.partner_id = :partner_id);

-- name: add_channel_key
-- Adds nothing unless the channel is the partner's.
INSERT INTO api_keys (key_hash, channel_id, created_at, label, hint)
SELECT CAST(:key_hash AS TEXT), ch.id, CAST(:now AS DOUBLE PRECISION), CAST(:label AS TEXT),
    CAST(:hint AS TEXT)
FROM channels ch JOIN wabas w ON w.id = ch.waba_id
JOIN clients cl ON cl.business_id = w.business_id
WHERE ch.id = :channel_id AND cl.partner_id = :partner_id;

-- name: revoke_channel_key
UPDATE api_keys SET revoked_at = :now
WHERE key_hash = :key_hash AND channel_id = :channel_id AND revoked_at IS NULL AND EXISTS (
    SELECT 1 FROM channels ch JOIN wabas w ON w.id = ch.waba_id
    JOIN clients cl ON cl.business_id = w.business_id
    WHERE ch.id = :channel_id AND cl.partner_id = :partner_id);
