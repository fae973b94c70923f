"""CPU time and disk writes of a server's whole process tree, read from /proc.

`mmgate serve` may run parts of itself as child processes (uvicorn workers, an
emulator of its own): the cost of a message is what all of them spend. A tree is
the root and every live descendant (by parent pid); the root's `cutime`/`cstime`
add the children that already exited and were waited for.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK")


def parse_stat(text: str) -> tuple[int, list[str]]:
    """(parent pid, the fields after the command name) of a /proc/<pid>/stat line.
    The command name is in parentheses and may itself hold spaces or ')'."""
    rest = text[text.rindex(")") + 2 :].split()
    return int(rest[1]), rest


def cpu_ticks(fields: list[str], *, with_children: bool) -> int:
    """utime + stime (+ cutime + cstime) from the fields `parse_stat` returns."""
    # Fields after the name start at `state` (field 3 of proc(5)): utime is field 14.
    utime, stime, cutime, cstime = (int(fields[i]) for i in range(11, 15))
    return utime + stime + (cutime + cstime if with_children else 0)


def io_write_bytes(text: str) -> int:
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name == "write_bytes":
            return int(value)
    return 0


def _stats() -> dict[int, tuple[int, list[str]]]:
    stats = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                stats[int(entry.name)] = parse_stat((entry / "stat").read_text())
            except (OSError, ValueError, IndexError):
                continue  # exited while we looked
    return stats


def tree(root: int, stats: dict[int, tuple[int, list[str]]]) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            found.append(pid)
            todo += children.get(pid, [])
    return found


def ticks_of(pids: list[int]) -> dict[int, int]:
    """utime + stime of each given process (not its children); gone ones left out."""
    ticks = {}
    for pid in pids:
        try:
            ticks[pid] = cpu_ticks(
                parse_stat((PROC / str(pid) / "stat").read_text())[1], with_children=False
            )
        except (OSError, ValueError, IndexError):
            continue
    return ticks


@dataclass(frozen=True)
class Usage:
    cpu_seconds: float
    write_bytes: int  # bytes the tree caused to be sent to the storage layer (/proc/<pid>/io)
    processes: int

    def __sub__(self, earlier: Usage) -> Usage:
        return Usage(
            self.cpu_seconds - earlier.cpu_seconds,
            self.write_bytes - earlier.write_bytes,
            max(self.processes, earlier.processes),
        )


def usage(root: int) -> Usage:
    """What the process tree under `root` has spent so far (zero once it is gone)."""
    stats = _stats()
    pids = tree(root, stats)
    ticks, written = 0, 0
    for pid in pids:
        ticks += cpu_ticks(stats[pid][1], with_children=pid == root)
        with contextlib.suppress(OSError):
            written += io_write_bytes((PROC / str(pid) / "io").read_text())
    return Usage(ticks / TICKS, written, len(pids))
