"""The `Store` port on PostgreSQL: the one store on the PostgreSQL connector, plus the
hot path's own modules (accepts, the outbox, statuses), which come first."""

from __future__ import annotations

from mmgate.storage.connectors.postgres import PostgresConnector
from mmgate.storage.postgres.engine import Database
from mmgate.storage.postgres.lifecycle import Lifecycle
from mmgate.storage.postgres.outbox import Outbox
from mmgate.storage.postgres.send_path import SendPath
from mmgate.storage.stats import WriterStats
from mmgate.storage.store import SqlStore


class PostgresStore(SendPath, Outbox, Lifecycle, SqlStore):
    """`server_settings` go to every connection (tests set `search_path` to a schema)."""

    def __init__(
        self,
        url: str,
        *,
        min_size: int = 2,
        max_size: int = 10,
        server_settings: dict[str, str] | None = None,
    ) -> None:
        self.db = Database(
            url, min_size=min_size, max_size=max_size, server_settings=server_settings
        )
        self.connector = PostgresConnector(self.db)

    @property
    def stats(self) -> WriterStats:
        return self.db.writer_stats

    async def start(self) -> None:
        """Connect, apply missing migrations (one process at a time), start the writer."""
        await self.db.start()

    async def close(self) -> None:
        await self.db.close()
