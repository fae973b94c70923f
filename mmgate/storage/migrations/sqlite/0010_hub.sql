-- The Partner Hub: its users, the secret that signs their sessions, and what an API key
-- shows of itself after creation (its secret part is never stored).
CREATE TABLE hub_users (
    id INTEGER PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners(id),
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    -- Bumped on logout: every session cookie issued before is void.
    session_generation INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE INDEX hub_users_partner ON hub_users (partner_id);

CREATE TABLE hub_secret (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    session_secret TEXT NOT NULL
);

ALTER TABLE api_keys ADD COLUMN label TEXT;
ALTER TABLE api_keys ADD COLUMN hint TEXT;
CREATE INDEX api_keys_channel ON api_keys (channel_id);

-- The message log and analytics read a partner's messages newest first, by time range.
CREATE INDEX messages_created ON messages (created_at);
