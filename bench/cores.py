"""Which cores the server and the load generator run on.

The server gets one core and the load generator another, so the generator never
steals the server's CPU; a baseline runs on exactly the same core as its subject.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass


@dataclass(frozen=True)
class CoreLayout:
    server: str | None  # taskset CPU list, None = not pinned
    load: str | None
    all_cores: str | None
    count: int

    def describe(self) -> str:
        if self.server is None:
            return f"{self.count} core(s), not pinned (taskset or a second core missing)"
        return f"server on core {self.server}, load on core {self.load}"


def detect() -> CoreLayout:
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2 or shutil.which("taskset") is None:
        return CoreLayout(None, None, None, len(cpus))
    return CoreLayout(str(cpus[0]), str(cpus[1]), ",".join(map(str, cpus[:2])), len(cpus))


def pinned(command: list[str], cpus: str | None) -> list[str]:
    return ["taskset", "-c", cpus, *command] if cpus else command
