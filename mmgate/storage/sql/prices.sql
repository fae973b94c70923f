-- Max price (docs/max-price.md): the price of a send made with one, fixed at acceptance.

-- name: record_price
INSERT INTO message_prices (wamid, channel_id, country, currency, list_price, bid_amount,
    bid_multiplier, max_price, created_at)
VALUES (:wamid, :channel_id, :country, :currency, :list_price, :bid_amount,
    :bid_multiplier, :max_price, :created_at)
ON CONFLICT (wamid) DO NOTHING;

-- name: message_price
SELECT wamid, channel_id, country, currency, list_price, bid_amount, bid_multiplier,
    max_price, created_at
FROM message_prices WHERE wamid = :wamid;
