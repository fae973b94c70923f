"""What a server spent on a stretch of work: CPU seconds of its process tree and
rows its SQLite connections changed (`bench/sqlite_changes/`), read at moments when
the server is idle, so the figures do not depend on when a sample was taken.

Durable write items = rows inserted, updated or deleted, as SQLite itself counts
them per connection (`total_changes`). Files named `emulator*` are Meta's (the
emulator's own store), not the gateway's, and are reported apart.

On PostgreSQL the same count comes from the server's statistics for the run's own
database (`pg_stat_database`: tup_inserted + tup_updated + tup_deleted, and
xact_commit for transactions). A backend that goes idle reports its counts only
after PostgreSQL's idle interval (10 s in PostgreSQL 15), so a PostgreSQL snapshot
is taken PG_STATS_DELAY seconds after the work stopped.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench import proctree

SITE_DIR = Path(__file__).resolve().parent / "sqlite_changes"
QUIET_SECONDS = 0.3  # longer than the reporter's 50 ms period
SETTLE_LIMIT = 15.0
PG_STATS_DELAY = 11.0  # PGSTAT_IDLE_INTERVAL (10 s) + 1 s
PG_PREFIX = "PostgreSQL "
PG_XACTS = "PostgreSQL transactions"


@dataclass(frozen=True)
class Postgres:
    """Where to read the statistics of the database a server under test uses."""

    admin_url: str
    database: str

    def read(self) -> dict[str, int]:
        sql = (
            "SELECT tup_inserted + tup_updated + tup_deleted, xact_commit "
            f"FROM pg_stat_database WHERE datname = '{self.database}'"
        )
        done = subprocess.run(
            ["psql", self.admin_url, "-qAt", "-c", sql],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        rows, _, commits = done.stdout.strip().partition("|")
        if not commits:
            return {}
        return {f"{PG_PREFIX}{self.database}": int(rows), PG_XACTS: int(commits)}

    def tables(self) -> dict[str, list[int]]:
        """Rows inserted, updated and deleted so far, per table of the database."""
        url = urlunsplit(urlsplit(self.admin_url)._replace(path=f"/{self.database}"))
        sql = "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables"
        done = subprocess.run(
            ["psql", url, "-qAt", "-F", " ", "-c", sql],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        counts = {}
        for line in done.stdout.splitlines():
            name, *numbers = line.split()
            counts[name] = [int(n) for n in numbers]
        return counts

    def backends(self) -> list[int]:
        """Process ids of the PostgreSQL backends connected to the database (the
        server is local: their CPU is in /proc)."""
        sql = f"SELECT pid FROM pg_stat_activity WHERE datname = '{self.database}'"
        done = subprocess.run(
            ["psql", self.admin_url, "-qAt", "-c", sql],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return [int(line) for line in done.stdout.split() if line.isdigit()]


def sqlite_tables(path: Path) -> dict[str, list[int]]:
    """Rows per table of a SQLite database, read on a read-only connection of our own
    (WAL: it never blocks the server's writer)."""
    if not path.exists():
        return {}
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        names = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            name: [conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]] for name in names
        }
    finally:
        conn.close()


def server_env(changes_dir: Path) -> dict[str, str]:
    """Environment that makes a server's Python processes report their row counts."""
    changes_dir.mkdir(parents=True, exist_ok=True)
    path = os.environ.get("PYTHONPATH", "")
    return {
        "BENCH_SQLITE_CHANGES_DIR": str(changes_dir),
        "PYTHONPATH": f"{SITE_DIR}{os.pathsep}{path}" if path else str(SITE_DIR),
    }


def read_changes(changes_dir: Path) -> dict[str, int]:
    """Rows changed per database file name, summed over every reporting process."""
    totals: dict[str, int] = {}
    for report in changes_dir.glob("*.json"):
        try:
            counts: dict[str, int] = json.loads(report.read_text())
        except (OSError, ValueError):
            continue  # replaced while we read: the next sample has it
        for path, rows in counts.items():
            name = Path(path).name or path
            totals[name] = totals.get(name, 0) + rows
    return totals


def is_gateway(name: str) -> bool:
    return not name.startswith("emulator")


@dataclass(frozen=True)
class Snapshot:
    usage: proctree.Usage
    changes: dict[str, int] = field(default_factory=dict)
    database_ticks: dict[int, int] = field(default_factory=dict)  # PostgreSQL backend: CPU
    # Per table: [rows] (SQLite) or [inserted, updated, deleted] (PostgreSQL).
    tables: dict[str, list[int]] = field(default_factory=dict)


def snapshot(
    pid: int, changes_dir: Path | None, pg: Postgres | None = None, db: Path | None = None
) -> Snapshot:
    changes = read_changes(changes_dir) if changes_dir else {}
    backends: dict[int, int] = {}
    tables = sqlite_tables(db) if db else {}
    if pg is not None:
        changes.update(pg.read())
        backends = proctree.ticks_of(pg.backends())
        tables = pg.tables()
    return Snapshot(proctree.usage(pid), changes, backends, tables)


async def settled(
    pid: int, changes_dir: Path | None, pg: Postgres | None = None, db: Path | None = None
) -> Snapshot:
    """A snapshot once the row counts stopped moving for QUIET_SECONDS (the server
    finished writing what the last webhooks caused), or after SETTLE_LIMIT; on
    PostgreSQL first wait until idle backends reported their counts."""
    if pg is not None:
        await asyncio.sleep(PG_STATS_DELAY)
        return snapshot(pid, changes_dir, pg)
    last = snapshot(pid, changes_dir)
    for _ in range(int(SETTLE_LIMIT / QUIET_SECONDS)):
        await asyncio.sleep(QUIET_SECONDS)
        now = snapshot(pid, changes_dir)
        if now.changes == last.changes:
            break
        last = now
    return snapshot(pid, changes_dir, db=db) if db else last


def per_message(start: Snapshot, end: Snapshot, messages: int) -> dict[str, Any]:
    """CPU ms, gateway rows and bytes written per message between two snapshots."""
    spent = end.usage - start.usage
    rows = {
        name: end.changes.get(name, 0) - start.changes.get(name, 0)
        for name in sorted(end.changes)
        if end.changes.get(name, 0) != start.changes.get(name, 0)
    }
    xacts = rows.pop(PG_XACTS, None)
    # A backend that started during the stretch counts from its start; one that
    # ended during it is missed (mmgate's pools keep theirs open).
    database_ticks = sum(
        ticks - start.database_ticks.get(pid, 0) for pid, ticks in end.database_ticks.items()
    )
    database_seconds = database_ticks / proctree.TICKS
    per = max(1, messages)
    tables = {}
    for name, counts in sorted(end.tables.items()):
        earlier = start.tables.get(name, [0] * len(counts))
        moved = [(n - m) / per for n, m in zip(counts, earlier, strict=False)]
        if any(moved):
            tables[name] = moved
    return {
        "tables": tables,
        "messages": messages,
        "cpu_ms": (spent.cpu_seconds + database_seconds) * 1000 / per,
        "database_cpu_ms": database_seconds * 1000 / per,
        "database_backends": len(end.database_ticks),
        "write_rows": sum(n for name, n in rows.items() if is_gateway(name)) / per,
        "rows_by_file": {name: n / per for name, n in rows.items()},
        "transactions": None if xacts is None else xacts / per,
        "counted": bool(end.changes),
        "write_bytes": spent.write_bytes / per,
        "processes": spent.processes,
    }
