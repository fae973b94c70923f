-- Messages still waiting for delivery, by the time their TTL ends (the expiry sweep).
CREATE INDEX messages_open_expiry ON messages (expires_at) WHERE status_rank < 4;
