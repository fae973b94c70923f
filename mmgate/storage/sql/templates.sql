-- The gateway's template knowledge: filled by Graph look-ups and template webhooks.

-- name: template
SELECT name, language, category, status, body_params, url_button_params, ttl_seconds,
    sync_until, bid_amount
FROM templates WHERE waba_id = :waba_id AND name = :name AND language = :language;

-- name: save_template
INSERT INTO templates (waba_id, name, language, category, status, body_params,
    url_button_params, ttl_seconds, fetched_at, bid_amount)
VALUES (:waba_id, :name, :language, :category, :status, :body_params, :url_button_params,
    :ttl_seconds, :now, :bid_amount)
ON CONFLICT (waba_id, name, language) DO UPDATE SET category = excluded.category,
    status = excluded.status, body_params = excluded.body_params,
    url_button_params = excluded.url_button_params, ttl_seconds = excluded.ttl_seconds,
    fetched_at = excluded.fetched_at, bid_amount = excluded.bid_amount;

-- name: update_template
-- What a template webhook tells; NULL leaves a field as it is.
UPDATE templates SET status = COALESCE(:status, status),
    category = COALESCE(:category, category), sync_until = COALESCE(:sync_until, sync_until)
WHERE waba_id = :waba_id AND name = :name AND language = :language;
