-- The gateway's tables. Every statement of the gateway lives under mmgate/storage.
CREATE TABLE partners (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    webhook_url TEXT,
    webhook_secret TEXT NOT NULL,
    marketing_routing INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL
);

CREATE TABLE clients (
    business_id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners(id),
    name TEXT NOT NULL
);

CREATE TABLE wabas (
    id TEXT PRIMARY KEY,
    business_id TEXT NOT NULL REFERENCES clients(business_id),
    name TEXT NOT NULL
);

CREATE TABLE channels (
    id TEXT PRIMARY KEY,
    waba_id TEXT NOT NULL REFERENCES wabas(id),
    phone_number_id TEXT NOT NULL UNIQUE,
    display_phone_number TEXT NOT NULL,
    webhook_url TEXT,
    webhook_headers TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL
);

CREATE TABLE api_keys (
    key_hash TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL REFERENCES channels(id),
    created_at REAL NOT NULL,
    revoked_at REAL
);

-- How the gateway reaches Meta (or the emulator): one row.
CREATE TABLE upstream (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    graph_token TEXT NOT NULL,
    app_secret TEXT NOT NULL,
    verify_token TEXT NOT NULL
);

-- Template knowledge, filled by Graph look-ups and template webhooks.
CREATE TABLE templates (
    waba_id TEXT NOT NULL,
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    category TEXT NOT NULL,
    status TEXT NOT NULL,
    body_params INTEGER NOT NULL,
    url_button_params TEXT NOT NULL,
    ttl_seconds INTEGER,
    fetched_at REAL NOT NULL,
    PRIMARY KEY (waba_id, name, language)
);

CREATE TABLE messages (
    wamid TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    entry_point TEXT NOT NULL,
    type TEXT NOT NULL,
    template_name TEXT,
    template_language TEXT,
    category TEXT,
    route_requested TEXT NOT NULL,
    route_taken TEXT,
    upstream_endpoint TEXT NOT NULL,
    status TEXT NOT NULL,
    status_rank INTEGER NOT NULL,
    meta_wamid TEXT,
    ttl_seconds INTEGER NOT NULL,
    expires_at REAL NOT NULL,
    payload BLOB NOT NULL,
    error TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX messages_meta_wamid ON messages (meta_wamid) WHERE meta_wamid IS NOT NULL;
CREATE INDEX messages_channel_created ON messages (channel_id, created_at);

CREATE TABLE idempotency_keys (
    channel_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response BLOB NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (channel_id, key)
);

-- Lifecycle of each message as the gateway saw it (accepted, sent upstream, statuses).
CREATE TABLE message_events (
    id INTEGER PRIMARY KEY,
    wamid TEXT NOT NULL,
    status TEXT NOT NULL,
    at REAL NOT NULL,
    detail TEXT
);
CREATE INDEX message_events_wamid ON message_events (wamid);

-- The outbox: every piece of work that must survive a crash.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    ordering_key TEXT,
    run_at REAL NOT NULL,
    lease_until REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'pending',
    payload BLOB,
    last_error TEXT,
    created_at REAL NOT NULL
);
CREATE INDEX jobs_pending ON jobs (kind, run_at) WHERE state = 'pending';
CREATE INDEX jobs_ordering ON jobs (ordering_key, id) WHERE state = 'pending';

CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    at REAL NOT NULL,
    status_code INTEGER,
    duration_ms REAL NOT NULL,
    response_excerpt TEXT,
    error TEXT
);
CREATE INDEX webhook_attempts_job ON webhook_attempts (job_id);
