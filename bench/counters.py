"""What a server spent on a stretch of work: CPU seconds of its process tree and
rows its SQLite connections changed (`bench/sqlite_changes/`), read at moments when
the server is idle, so the figures do not depend on when a sample was taken.

Durable write items = rows inserted, updated or deleted, as SQLite itself counts
them per connection (`total_changes`). Files named `emulator*` are Meta's (the
emulator's own store), not the gateway's, and are reported apart.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import proctree

SITE_DIR = Path(__file__).resolve().parent / "sqlite_changes"
QUIET_SECONDS = 0.3  # longer than the reporter's 50 ms period
SETTLE_LIMIT = 15.0


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


def snapshot(pid: int, changes_dir: Path | None) -> Snapshot:
    return Snapshot(proctree.usage(pid), read_changes(changes_dir) if changes_dir else {})


async def settled(pid: int, changes_dir: Path | None) -> Snapshot:
    """A snapshot once the row counts stopped moving for QUIET_SECONDS (the server
    finished writing what the last webhooks caused), or after SETTLE_LIMIT."""
    last = snapshot(pid, changes_dir)
    for _ in range(int(SETTLE_LIMIT / QUIET_SECONDS)):
        await asyncio.sleep(QUIET_SECONDS)
        now = snapshot(pid, changes_dir)
        if now.changes == last.changes:
            return now
        last = now
    return last


def per_message(start: Snapshot, end: Snapshot, messages: int) -> dict[str, Any]:
    """CPU ms, gateway rows and bytes written per message between two snapshots."""
    spent = end.usage - start.usage
    rows = {
        name: end.changes.get(name, 0) - start.changes.get(name, 0)
        for name in sorted(end.changes)
        if end.changes.get(name, 0) != start.changes.get(name, 0)
    }
    per = max(1, messages)
    return {
        "messages": messages,
        "cpu_ms": spent.cpu_seconds * 1000 / per,
        "write_rows": sum(n for name, n in rows.items() if is_gateway(name)) / per,
        "rows_by_file": {name: n / per for name, n in rows.items()},
        "counted": bool(end.changes),
        "write_bytes": spent.write_bytes / per,
        "processes": spent.processes,
    }
