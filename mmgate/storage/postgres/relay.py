"""The client webhook that relays a status of the message a statement just `moved`.

Parameters: $1 now, $2 the body, $3 the job kind. Statuses of one message share an
ordering key so they go out in lifecycle order, unless the channel opted into chaos:
then they race, up to 3 s apart. Behind a delivery of the message that failed for good
the relay fails too (order holds past the retry window; a replay re-opens them together).
"""

from __future__ import annotations

from mmgate.storage.port import HELD_BEHIND_FAILED

_BEHIND_FAILED = (
    "EXISTS (SELECT 1 FROM jobs f WHERE f.ordering_key = moved.wamid AND f.state = 'failed')"
)

RELAY = f"""
INSERT INTO jobs (kind, ref, tenant, ordering_key, run_at, payload, created_at, state,
    last_error)
SELECT $3::text, moved.channel_id, moved.channel_id,
    CASE WHEN ch.chaos_out_of_order THEN NULL ELSE moved.wamid END,
    CASE WHEN ch.chaos_out_of_order THEN $1 + floor(random() * 3000) / 1000 ELSE $1 END,
    $2::bytea, $1,
    CASE WHEN {_BEHIND_FAILED} THEN 'failed' ELSE 'pending' END,
    CASE WHEN {_BEHIND_FAILED} THEN '{HELD_BEHIND_FAILED}' END
FROM moved JOIN channels ch ON ch.id = moved.channel_id
WHERE ch.webhook_url IS NOT NULL
"""
