-- Per-number throughput shared by every process and host (issue 14): one token bucket per
-- phone number; processes take tokens from it in grants (domain/throughput.py).
CREATE TABLE throughput_buckets (
    phone_number_id TEXT PRIMARY KEY,
    tokens DOUBLE PRECISION NOT NULL,  -- left after the last grant
    granted INTEGER NOT NULL,  -- the last grant's tokens
    refilled_at DOUBLE PRECISION NOT NULL  -- on the one clock; never goes back
);
