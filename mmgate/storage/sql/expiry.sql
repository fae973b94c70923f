-- Messages that reached Meta and whose TTL ended undelivered: Meta dropped them and says
-- nothing; with MMGATE_REPORT_EXPIRED_AS_FAILED the gateway reports each as `failed`.

-- name: expiring_at_meta
SELECT m.wamid, m.recipient, m.payload, c.phone_number_id, c.display_phone_number, c.waba_id,
    m.expires_at
FROM messages m JOIN channels c ON c.id = m.channel_id
WHERE m.status_rank < :delivered_rank AND m.expires_at <= :now AND m.meta_wamid IS NOT NULL
ORDER BY m.expires_at
LIMIT :limit;
