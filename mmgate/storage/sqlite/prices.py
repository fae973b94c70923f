"""Max price: the price of a send made with one, on SQLite (migration 0030)."""

from __future__ import annotations

from dataclasses import astuple

from mmgate.storage.port import MessagePrice
from mmgate.storage.sqlite.engine import Engine

_COLUMNS = (
    "wamid, channel_id, country, currency, list_price, bid_amount, bid_multiplier, max_price, "
    "created_at"
)


class PriceQueries:
    engine: Engine

    async def record_price(self, price: MessagePrice) -> None:
        await self.engine.write(
            lambda c: c.execute(
                f"INSERT OR IGNORE INTO message_prices ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
                astuple(price),
            )
        )

    async def message_price(self, wamid: str) -> MessagePrice | None:
        row = await self.engine.read(
            lambda c: c.execute(
                f"SELECT {_COLUMNS} FROM message_prices WHERE wamid = ?", (wamid,)
            ).fetchone()
        )
        return MessagePrice(*row) if row is not None else None
