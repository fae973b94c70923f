"""One entry point for load runs: wrk when we have it, the Python generator otherwise,
each run as a child process pinned to the load core."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bench import wrk
from bench.cores import pinned
from bench.loadresult import LoadResult


@dataclass(frozen=True)
class Target:
    url: str
    headers: Mapping[str, str]
    body: bytes


class LoadGenerator:
    def __init__(self, workdir: Path, *, use_wrk: bool) -> None:
        self._workdir = workdir
        self.tool = "wrk" if use_wrk else "python"
        self._scripts = 0

    def _files(self, target: Target) -> tuple[Path, Path]:
        self._scripts += 1
        body = self._workdir / f"body-{self._scripts}.json"
        body.write_bytes(target.body)
        script = wrk.write_script(
            self._workdir / f"load-{self._scripts}.lua", "POST", target.headers, target.body
        )
        return body, script

    def closed_loop(
        self, target: Target, seconds: float, connections: int, cpus: str | None
    ) -> LoadResult:
        body, script = self._files(target)
        if self.tool == "wrk":
            return wrk.run(target.url, script, seconds, connections, cpus)
        return _python("closed", target, body, seconds, connections, cpus)

    def fixed_rate(
        self, target: Target, seconds: float, rate: float, cpus: str | None
    ) -> LoadResult:
        body, _ = self._files(target)
        return _python("fixed", target, body, seconds, 64, cpus, rate=rate)


def _python(
    mode: str,
    target: Target,
    body: Path,
    seconds: float,
    connections: int,
    cpus: str | None,
    *,
    rate: float = 0.0,
) -> LoadResult:
    command = [sys.executable, "-m", "bench.pyload", "--mode", mode, "--url", target.url]
    command += ["--body-file", str(body), "--seconds", str(seconds)]
    command += ["--connections", str(connections), "--rate", str(rate)]
    for name, value in target.headers.items():
        command += ["--header", f"{name}: {value}"]
    done = subprocess.run(
        pinned(command, cpus), capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    return LoadResult(**json.loads(done.stdout))
