"""Counts the rows every SQLite connection of a benchmarked server changes.

Python imports `sitecustomize` at start-up from its path; the harness puts this
directory on PYTHONPATH of the server under test only, with BENCH_SQLITE_CHANGES_DIR
set. Without that variable this module does nothing.

`sqlite3.connect` then makes connections of a subclass whose totals we can read:
`total_changes` is SQLite's own count of rows inserted, updated or deleted on a
connection (trigger rows included; DDL and rows of a rolled-back savepoint are still
counted if they were written). A thread writes the sum per database file, live
connections plus closed ones, to `<dir>/<pid>.json` every 50 ms when it changed and at exit,
so every process of the server's tree reports, whichever of them writes. The cost
to the server: one attribute read per connection per 50 ms; the statements run as
before. A connection opened with a `factory=` of its own is not counted.
"""

from __future__ import annotations

import contextlib
import json
import os

DIRECTORY = os.environ.get("BENCH_SQLITE_CHANGES_DIR")
PERIOD_SECONDS = 0.05


def _install(directory: str) -> None:
    import atexit
    import sqlite3
    import threading
    import time
    import weakref
    from typing import Any

    lock = threading.Lock()
    closed: dict[str, int] = {}
    live: weakref.WeakSet[Counting] = weakref.WeakSet()

    class Counting(sqlite3.Connection):
        def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
            super().__init__(database, *args, **kwargs)
            name = os.fsdecode(database) if isinstance(database, str | bytes | os.PathLike) else ""
            self.bench_path = os.path.abspath(name) if name and name != ":memory:" else name
            self.bench_settled = False
            with lock:
                live.add(self)

        def _settle(self) -> None:
            with lock:
                if self.bench_settled:
                    return
                self.bench_settled = True
                live.discard(self)
                with contextlib.suppress(sqlite3.Error):
                    closed[self.bench_path] = closed.get(self.bench_path, 0) + self.total_changes

        def close(self) -> None:
            self._settle()
            super().close()

        def __del__(self) -> None:
            self._settle()

    original = sqlite3.connect

    def connect(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if len(args) < 5 and "factory" not in kwargs:  # factory is connect's 6th parameter
            kwargs["factory"] = Counting
        conn: sqlite3.Connection = original(database, *args, **kwargs)
        return conn

    sqlite3.connect = connect  # type: ignore[assignment]
    sqlite3.dbapi2.connect = connect  # type: ignore[assignment]

    def totals() -> dict[str, int]:
        with lock:
            counts = dict(closed)
            for conn in list(live):
                try:
                    counts[conn.bench_path] = counts.get(conn.bench_path, 0) + conn.total_changes
                except sqlite3.Error:
                    continue
        return counts

    path = os.path.join(directory, f"{os.getpid()}.json")
    last: list[dict[str, int]] = [{}]

    writing = threading.Lock()  # the reporter thread and the exit hook

    def write() -> None:
        with writing:
            counts = totals()
            if counts != last[0]:
                temporary = path + ".tmp"
                with open(temporary, "w") as out:
                    json.dump(counts, out)
                os.replace(temporary, path)
                last[0] = counts

    def report() -> None:
        while True:
            write()
            time.sleep(PERIOD_SECONDS)

    threading.Thread(target=report, name="bench-sqlite-changes", daemon=True).start()
    atexit.register(write)  # the final counts of a process that ends


if DIRECTORY:
    _install(DIRECTORY)
