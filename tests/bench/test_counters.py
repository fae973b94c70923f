"""The harness's cost counters: /proc parsing, the SQLite row counter a server gets
through PYTHONPATH, and the per-message arithmetic."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bench import counters, proctree

ROOT = Path(__file__).resolve().parents[2]
# proc(5): pid (comm) state ppid ... utime(14) stime(15) cutime(16) cstime(17) ...
STAT = "4242 (uvicorn: a) b) S 17 4242 4242 0 -1 4194560 900 0 0 0 250 50 7 3 20 0 3 0"


def test_stat_line_is_read_past_a_command_name_with_spaces_and_parens() -> None:
    parent, fields = proctree.parse_stat(STAT)
    assert parent == 17
    assert proctree.cpu_ticks(fields, with_children=False) == 300
    assert proctree.cpu_ticks(fields, with_children=True) == 310


def test_io_write_bytes_is_read_from_proc_io() -> None:
    text = "rchar: 10\nwchar: 20\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n"
    assert proctree.io_write_bytes(text) == 8192


def test_a_process_tree_holds_its_children_and_not_its_parent() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        stats = {
            pid: proctree.parse_stat(Path(f"/proc/{pid}/stat").read_text())
            for pid in (os.getpid(), child.pid)
        }
        assert proctree.tree(os.getpid(), stats) == [os.getpid(), child.pid]
        assert proctree.tree(child.pid, stats) == [child.pid]
        assert proctree.usage(os.getpid()).processes >= 2
    finally:
        child.kill()
        child.wait()


def test_cost_per_message_splits_the_gateway_from_the_emulator() -> None:
    start = counters.Snapshot(proctree.Usage(1.0, 1000, 1), {"gateway.db": 100, "emulator.db": 5})
    end = counters.Snapshot(proctree.Usage(3.0, 5096, 2), {"gateway.db": 900, "emulator.db": 45})
    cost = counters.per_message(start, end, 100)
    assert cost["cpu_ms"] == 20.0
    assert cost["write_rows"] == 8.0  # the emulator's 0.4 rows per message are Meta's
    assert cost["rows_by_file"] == {"emulator.db": 0.4, "gateway.db": 8.0}
    assert cost["write_bytes"] == 40.96
    assert cost["counted"]


def test_a_server_process_reports_the_rows_its_sqlite_connections_change(tmp_path: Path) -> None:
    changes = tmp_path / "changes"
    database = tmp_path / "gateway.db"
    script = f"""
import sqlite3
conn = sqlite3.connect({str(database)!r}, isolation_level=None)
conn.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY, state TEXT)")
conn.executemany("INSERT INTO jobs (state) VALUES (?)", [("new",)] * 5)
conn.execute("UPDATE jobs SET state = 'done' WHERE id <= 3")
conn.close()
other = sqlite3.connect({str(database)!r}, isolation_level=None)
other.execute("DELETE FROM jobs WHERE id = 5")
"""  # counted while `other` is still open: its count is read at exit
    env = {**os.environ, **counters.server_env(changes)}
    subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, check=True, timeout=60)
    assert counters.read_changes(changes) == {"gateway.db": 9}  # 5 inserted, 3 updated, 1 deleted


def test_without_the_variable_nothing_is_counted(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(counters.SITE_DIR)}
    env.pop("BENCH_SQLITE_CHANGES_DIR", None)
    done = subprocess.run(
        [sys.executable, "-c", "import sqlite3; print(type(sqlite3.connect(':memory:')).__name__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == "Connection"


def test_settled_waits_until_the_counts_stop_moving(tmp_path: Path) -> None:
    import asyncio

    (tmp_path / "1.json").write_text(json.dumps({"/x/gateway.db": 3}))
    started = time.monotonic()
    snap = asyncio.run(counters.settled(os.getpid(), tmp_path))
    assert snap.changes == {"gateway.db": 3}
    assert time.monotonic() - started < counters.SETTLE_LIMIT


def test_postgres_backends_cpu_is_added_and_shown_apart() -> None:
    ticks = proctree.TICKS
    start = counters.Snapshot(proctree.Usage(1.0, 0, 1), {"PostgreSQL db": 10}, {7: ticks, 8: 0})
    end = counters.Snapshot(
        proctree.Usage(2.0, 0, 1), {"PostgreSQL db": 110}, {7: 2 * ticks, 8: ticks, 9: ticks}
    )
    cost = counters.per_message(start, end, 10)
    assert cost["database_cpu_ms"] == 300.0  # 1 s each from 7, 8 and the new backend 9
    assert cost["cpu_ms"] == 400.0
    assert cost["database_backends"] == 3
    assert cost["write_rows"] == 10.0


def test_the_cpu_of_given_processes_is_read_without_their_children() -> None:
    ticks = proctree.ticks_of([os.getpid(), 999_999_999])
    assert list(ticks) == [os.getpid()]  # a pid that does not exist is left out


def test_rows_per_table_are_read_and_diffed_per_message(tmp_path: Path) -> None:
    database = tmp_path / "gateway.db"
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY)")
    conn.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY)")
    conn.commit()
    before = counters.sqlite_tables(database)
    conn.executemany("INSERT INTO messages VALUES (?)", [(n,) for n in range(10)])
    conn.executemany("INSERT INTO jobs VALUES (?)", [(n,) for n in range(30)])
    conn.commit()  # the connection stays open, as the server's does
    after = counters.sqlite_tables(database)
    usage = proctree.Usage(0.0, 0, 1)
    cost = counters.per_message(
        counters.Snapshot(usage, tables=before), counters.Snapshot(usage, tables=after), 10
    )
    assert cost["tables"] == {"jobs": [3.0], "messages": [1.0]}
    conn.close()
    assert counters.sqlite_tables(tmp_path / "missing.db") == {}
