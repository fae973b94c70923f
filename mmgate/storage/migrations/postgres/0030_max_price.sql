-- Max price (issue 16, docs/max-price.md): a template's bid as Meta reports it, and the
-- price of each send made with a max price, fixed at acceptance (the template's bid
-- may change later). Messages without a max price are priced from the rate card.
ALTER TABLE templates ADD COLUMN bid_amount INTEGER;

CREATE TABLE message_prices (
    wamid TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL,
    country TEXT NOT NULL,
    currency TEXT NOT NULL,
    -- Per 1,000 deliveries in the currency's smallest unit, as Meta's bid_amount.
    list_price INTEGER NOT NULL,
    bid_amount INTEGER,
    bid_multiplier DOUBLE PRECISION,
    max_price INTEGER,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX message_prices_channel ON message_prices (channel_id, created_at);
