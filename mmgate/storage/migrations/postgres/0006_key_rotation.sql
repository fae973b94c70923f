-- Key rotation with an overlap: a rotated channel key works until `expires_at`; a
-- partner's previous key hash works until `previous_key_until` (issue #10).
ALTER TABLE api_keys ADD COLUMN expires_at DOUBLE PRECISION;
ALTER TABLE partners ADD COLUMN previous_key_hash TEXT;
ALTER TABLE partners ADD COLUMN previous_key_until DOUBLE PRECISION;
CREATE UNIQUE INDEX partners_previous_key_hash ON partners (previous_key_hash);
