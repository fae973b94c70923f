"""Data directories whose database already holds N stored messages, built once and
cached under bench/results/cache (keyed by the migrations, so a schema change
rebuilds them).

The schema comes from mmgate itself: a real server starts on an empty directory
(applying the SQLite migrations and provisioning the seed workspace) and accepts
one real message. That row is then cloned N times with direct SQL (new wamid,
Meta wamid, recipient, times), in big transactions, so the rows have the real
shape whatever columns the schema has. Secondary indexes on `messages` are
dropped during the fill and rebuilt after (one sort instead of N random inserts);
the primary key is filled in random wamid order, as real traffic fills it.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import servers
from bench.context import Context
from bench.workspace import SEND_HEADERS, SEND_PATH, send_body

FILL_VERSION = "1"
BATCH_ROWS = 100_000
DAY = 86_400.0
COMPLETE = "filled.ok"


def cache_key() -> str:
    from mmgate.storage.migrate import migration_files

    digest = hashlib.sha256(FILL_VERSION.encode())
    for name, sql in migration_files("sqlite"):
        digest.update(name.encode() + sql.encode())
    return digest.hexdigest()[:12]


def filled(ctx: Context, size: int) -> Path:
    """A data directory with `size` cloned messages (plus the one real one)."""
    path = ctx.options.results / "cache" / f"messages-{size}-{cache_key()}"
    if (path / COMPLETE).exists():
        return path
    if path.exists():
        shutil.rmtree(path)  # an interrupted fill
    _provision(ctx, path)
    started = time.monotonic()
    ctx.log(f"filling {size:,} messages into {path} (cached for later runs)")
    fill(path / "gateway.db", size)
    ctx.log(f"filled {size:,} messages in {time.monotonic() - started:.0f} s")
    (path / COMPLETE).write_text(f"{size}\n")
    return path


def _provision(ctx: Context, path: Path) -> None:
    with servers.mmgate(path, None, ctx.log_file(f"provision-{path.name}")) as server:
        request = urllib.request.Request(
            server.base_url + SEND_PATH, data=send_body(), headers=SEND_HEADERS, method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()
        time.sleep(1.0)  # let the dispatch worker send it upstream: a settled row


def fill(db: Path, size: int) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")  # a fill that fails is thrown away
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-1000000")  # 1 GB: the primary key stays in memory
        cursor = conn.execute("SELECT * FROM messages LIMIT 1")
        columns = [d[0] for d in cursor.description]
        template = dict(zip(columns, cursor.fetchone(), strict=True))
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages' "
            "AND sql IS NOT NULL"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        insert = (
            f"INSERT INTO messages ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        for batch in _batches(template, columns, size):
            conn.execute("BEGIN")
            conn.executemany(insert, batch)
            conn.execute("COMMIT")
        for _, sql in indexes:
            conn.execute(sql)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("ANALYZE")
    finally:
        conn.close()


def _batches(
    template: dict[str, Any], columns: list[str], size: int
) -> Iterator[list[tuple[Any, ...]]]:
    from mmgate.ids import new_wamid

    rng = random.Random(8)
    start = float(template.get("created_at") or time.time()) - 30 * DAY
    step = 30 * DAY / max(1, size)
    for first in range(0, size, BATCH_ROWS):
        rows = []
        for n in range(first, min(size, first + BATCH_ROWS)):
            recipient = f"44{rng.randrange(10**9, 10**10)}"
            at = start + n * step  # accepted over the last 30 days, in order
            row = dict(template, wamid=new_wamid(recipient), recipient=recipient)
            row.update(created_at=at, updated_at=at + 5)
            if "meta_wamid" in row:
                row["meta_wamid"] = new_wamid(recipient)
            if "expires_at" in row and "ttl_seconds" in row:
                row["expires_at"] = at + float(row["ttl_seconds"])
            rows.append(tuple(row[c] for c in columns))
        yield rows


def reset(db: Path, since: float) -> None:
    """Undo a benchmark run: drop what it added after `since`, and its outbox."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute("DELETE FROM messages WHERE created_at >= ?", (since,))
        for table in ("jobs", "message_events", "webhook_attempts"):
            conn.execute(f"DELETE FROM {table}")
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
