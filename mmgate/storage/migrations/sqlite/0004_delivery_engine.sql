-- Webhook signing secrets rotate with an overlap; channels can opt into "chaos" delivery.
ALTER TABLE partners ADD COLUMN previous_webhook_secret TEXT;
ALTER TABLE partners ADD COLUMN previous_secret_until REAL;
ALTER TABLE channels ADD COLUMN chaos_duplicates REAL NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN chaos_out_of_order INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_kind_state_created ON jobs (kind, state, created_at);
