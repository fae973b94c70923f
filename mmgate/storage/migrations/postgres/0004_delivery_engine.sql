-- Webhook signing secrets rotate with an overlap; channels can opt into "chaos" delivery.
ALTER TABLE partners ADD COLUMN previous_webhook_secret TEXT;
ALTER TABLE partners ADD COLUMN previous_secret_until DOUBLE PRECISION;
ALTER TABLE channels ADD COLUMN chaos_duplicates DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN chaos_out_of_order BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX jobs_kind_state_created ON jobs (kind, state, created_at);
