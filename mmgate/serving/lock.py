"""One server per data dir: `mmgate serve` holds an exclusive lock on `<data dir>/serve.lock`.

The SQLite database, the emulator's files and the workspace credentials assume one
process owns them. The lock is an OS lock (flock), so it ends with the process, also
after kill -9; the file keeps the holder's pid and URL for the messages below.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

LOCK_FILE = "serve.lock"


class DataDirBusy(Exception):
    def __init__(self, data_dir: Path, holder: dict[str, Any]) -> None:
        who = f"pid {holder.get('pid')} at {holder.get('base_url')}" if holder else "a process"
        super().__init__(
            f"another mmgate serve ({who}) is using {data_dir}; stop it or pick another "
            "--data-dir (one server per data dir)"
        )


@dataclass
class DataDirLock:
    handle: IO[str]

    def release(self) -> None:
        self.handle.close()


def acquire(data_dir: Path, base_url: str) -> DataDirLock:
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = (data_dir / LOCK_FILE).open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read(handle)
        handle.close()
        raise DataDirBusy(data_dir, holder) from None
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps({"pid": os.getpid(), "base_url": base_url}))
    handle.flush()
    return DataDirLock(handle)


def holder(data_dir: Path) -> dict[str, Any] | None:
    """Who serves `data_dir` now ({"pid", "base_url"}), or None when nothing does."""
    path = data_dir / LOCK_FILE
    if not path.exists():
        return None
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read(handle) or {}
        return None


def _read(handle: IO[str]) -> dict[str, Any]:
    handle.seek(0)
    try:
        data = json.loads(handle.read() or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
