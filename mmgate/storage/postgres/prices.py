"""Max price: the price of a send made with one, on PostgreSQL (migration 0030)."""

from __future__ import annotations

from dataclasses import astuple

from mmgate.storage.port import MessagePrice
from mmgate.storage.postgres.engine import Database

_COLUMNS = (
    "wamid, channel_id, country, currency, list_price, bid_amount, bid_multiplier, max_price, "
    "created_at"
)


class Prices:
    db: Database

    async def record_price(self, price: MessagePrice) -> None:
        await self.db.write(
            lambda c: c.execute(
                f"INSERT INTO message_prices ({_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) "
                "ON CONFLICT (wamid) DO NOTHING",
                *astuple(price),
            )
        )

    async def message_price(self, wamid: str) -> MessagePrice | None:
        row = await self.db.read(
            lambda c: c.fetchrow(f"SELECT {_COLUMNS} FROM message_prices WHERE wamid = $1", wamid)
        )
        return MessagePrice(*row) if row is not None else None
