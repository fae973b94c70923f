"""The `Store` port on SQLite: the one store on the SQLite connector, plus the hot
path's own modules (accepts, the outbox, statuses), which come first."""

from __future__ import annotations

from pathlib import Path

from mmgate.storage.connectors.sqlite import SqliteConnector
from mmgate.storage.migrate import apply_sqlite
from mmgate.storage.port import (
    CLIENT_WEBHOOK,
    PARTNER_WEBHOOK,
    UPSTREAM_SEND,
)
from mmgate.storage.sqlite.engine import Engine, WriterKind
from mmgate.storage.sqlite.outbox import OutboxQueries
from mmgate.storage.sqlite.sending import SendingQueries
from mmgate.storage.stats import WriterStats
from mmgate.storage.store import SqlStore

__all__ = ["CLIENT_WEBHOOK", "PARTNER_WEBHOOK", "UPSTREAM_SEND", "SqliteStore"]


class SqliteStore(SendingQueries, OutboxQueries, SqlStore):
    def __init__(
        self, path: Path, *, synchronous: str = "FULL", writer: WriterKind = "thread"
    ) -> None:
        self.engine = Engine(path, synchronous=synchronous, writer=writer)
        self.connector = SqliteConnector(self.engine)

    @property
    def stats(self) -> WriterStats:
        return self.engine.stats

    async def start(self) -> None:
        apply_sqlite(self.engine.path)  # before the writer thread opens the file
        self.engine.start()

    async def close(self) -> None:
        await self.engine.close()
