-- The outbox for batches (issue 14).
-- An upstream send is marked started (in one statement for a whole batch) just before its
-- request leaves: a job claimed but never started is sent after a crash; only a started
-- one is in doubt.
ALTER TABLE jobs ADD COLUMN started_at REAL;
-- Claims take turns across tenants (the channel; the partner for partner events), so one
-- client's backlog does not hold back another's sends.
ALTER TABLE jobs ADD COLUMN tenant TEXT;
CREATE INDEX jobs_tenant_due ON jobs (kind, tenant, run_at) WHERE state = 'pending';
-- A delivery that succeeded keeps its attempt on the job row (the compact delivery log);
-- only attempts that failed get a row of their own.
ALTER TABLE jobs ADD COLUMN done_at REAL;
ALTER TABLE jobs ADD COLUMN done_status_code INTEGER;
ALTER TABLE jobs ADD COLUMN done_duration_ms REAL;
ALTER TABLE jobs ADD COLUMN done_url TEXT;
-- Endpoints that answered 410 Gone: held, across restarts, until their URL is set again or
-- a delivery to them is replayed.
CREATE TABLE endpoint_holds (
    url TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    held_at REAL NOT NULL
);
-- Jobs written before this migration: the channel of an upstream send, else the ref (a
-- webhook's ref is its channel or partner).
UPDATE jobs SET tenant = COALESCE(
    (SELECT m.channel_id FROM messages m WHERE jobs.kind = 'upstream_send' AND m.wamid = jobs.ref),
    ref);
-- Deliveries that failed for good hold back the later ones of the same message.
CREATE INDEX jobs_ordering_failed ON jobs (ordering_key, id) WHERE state = 'failed';
