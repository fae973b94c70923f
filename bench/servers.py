"""How each server under test is started: same interpreter, same uvicorn flags."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from bench import procs
from bench.cores import pinned
from bench.workspace import write_seed


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def bare_command(port: int, workers: int = 1) -> list[str]:
    return [sys.executable, "-m", "bench.bare_app", "--port", str(port), "--workers", str(workers)]


SERVE = [sys.executable, "-m", "mmgate.cli.main", "serve"]
# `mmgate serve` with the upstream dispatch never started (see accept_only.py).
ACCEPT_ONLY = [sys.executable, "-m", "bench.accept_only"]


def mmgate_command(
    port: int, data_dir: Path, seed_path: Path, clock: str, launcher: list[str]
) -> list[str]:
    return [
        *launcher,
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--seed",
        str(seed_path),
        "--clock",
        clock,
    ]


@contextlib.contextmanager
def bare(cpus: str | None, log: Path, workers: int = 1) -> Iterator[Server]:
    port = procs.free_port()
    with procs.running(pinned(bare_command(port, workers), cpus), log, port=port) as process:
        yield Server(process, port)


@contextlib.contextmanager
def mmgate(
    data_dir: Path,
    cpus: str | None,
    log: Path,
    *,
    clock: str = "frozen",
    env: Mapping[str, str] | None = None,
    launcher: list[str] = SERVE,
) -> Iterator[Server]:
    """`mmgate serve` (or a launcher taking the same flags) with the fixed-key seed
    workspace on `data_dir`."""
    seed_path = write_seed(data_dir.parent / f"{data_dir.name}-seed")
    port = procs.free_port()
    args = mmgate_command(port, data_dir, seed_path, clock, launcher)
    # The per-number throughput limit (80/s) is off: the benchmarks measure the path.
    env = {"MMGATE_THROUGHPUT_PER_NUMBER": "0", **(env or {})}
    with procs.running(pinned(args, cpus), log, port=port, env=env) as process:
        yield Server(process, port)
