"""The `Store` port on SQLite: the one store on the SQLite connector, plus the hot
path's own modules (accepts, the outbox, statuses), which come first."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from mmgate.storage.connectors.sqlite import SqliteConnector
from mmgate.storage.migrate import migration_files
from mmgate.storage.port import (
    CLIENT_WEBHOOK,
    PARTNER_WEBHOOK,
    UPSTREAM_SEND,
)
from mmgate.storage.sqlite.engine import Engine
from mmgate.storage.sqlite.outbox import DeliveryLogQueries, OutboxQueries
from mmgate.storage.sqlite.sending import SendingQueries
from mmgate.storage.store import SqlStore

__all__ = ["CLIENT_WEBHOOK", "PARTNER_WEBHOOK", "UPSTREAM_SEND", "SqliteStore"]


class SqliteStore(SendingQueries, OutboxQueries, DeliveryLogQueries, SqlStore):
    def __init__(self, path: Path, *, synchronous: str = "FULL") -> None:
        self.engine = Engine(path, synchronous=synchronous)
        self.connector = SqliteConnector(self.engine)

    async def start(self) -> None:
        self._migrate()
        self.engine.start()

    async def close(self) -> None:
        await self.engine.close()

    def _migrate(self) -> None:
        self.engine.run_script(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY)"
        )
        conn = sqlite3.connect(self.engine.path)
        try:
            done = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
        finally:
            conn.close()
        for version, sql in migration_files("sqlite"):
            if version not in done:
                script = (
                    f"BEGIN;\n{sql}\nINSERT INTO schema_migrations VALUES ('{version}');\nCOMMIT;"
                )
                self.engine.run_script(script)
