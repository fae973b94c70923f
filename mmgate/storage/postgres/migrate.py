"""Apply `migrations/postgres/*.sql` once each, recorded in `schema_migrations`.

Several processes may start at once against one database; an advisory lock makes
the second wait for the first and then find every migration already applied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mmgate.storage.migrate import migration_files

if TYPE_CHECKING:
    from mmgate.storage.postgres.group_commit import Connection

# Any fixed 64-bit number, the same in every mmgate process: "mmgate migrations".
MIGRATION_LOCK = 0x6D6D_6761_7465_0001


async def apply_migrations(conn: Connection) -> list[str]:
    """Apply what is missing; returns the versions applied by this call."""
    applied: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY)"
        )
        done = {r[0] for r in await conn.fetch("SELECT version FROM schema_migrations")}
        for version, sql in migration_files("postgres"):
            if version in done:
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", version)
            applied.append(version)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
    return applied
