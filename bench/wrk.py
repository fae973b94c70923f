"""wrk, the native load generator: installed from Debian when missing, driven
by a small Lua script that sets the method, headers and body."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from bench.cores import pinned
from bench.loadresult import LoadResult

APT_TIMEOUT = 300.0
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def ensure_wrk() -> str | None:
    """The path to wrk, installing Debian's package if we can; None if we cannot."""
    if shutil.which("wrk") or os.geteuid() != 0 or shutil.which("apt-get") is None:
        return shutil.which("wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    # Try the package list we have first; refresh it only if that fails.
    for commands in ([install], [["apt-get", "update", "-qq"], install]):
        for command in commands:
            try:
                subprocess.run(command, env=env, capture_output=True, timeout=APT_TIMEOUT)
            except (OSError, subprocess.TimeoutExpired):
                return None
        if shutil.which("wrk"):
            break
    return shutil.which("wrk")


def write_script(path: Path, method: str, headers: Mapping[str, str], body: bytes) -> Path:
    lines = [f'wrk.method = "{method}"']
    lines += [f'wrk.headers["{name}"] = "{value}"' for name, value in headers.items()]
    if body:
        lines.append(f"wrk.body = [==[{body.decode()}]==]")
    path.write_text("\n".join(lines) + "\n")
    return path


def run(url: str, script: Path, seconds: float, connections: int, cpus: str | None) -> LoadResult:
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(
        pinned(command, cpus), capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    script.with_suffix(".out").write_text(done.stdout)  # kept for a post-mortem
    return parse(done.stdout)


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse(output: str) -> LoadResult:
    requests = re.search(r"(\d+) requests in ([\d.]+)(ms|s)", output)
    if requests is None:
        raise ValueError(f"cannot read wrk output:\n{output}")
    seconds = float(requests.group(2)) / (1000 if requests.group(3) == "ms" else 1)
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if len(latency) < 2:
        raise ValueError(f"no latency distribution in wrk output:\n{output}")
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket_errors = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return LoadResult(
        "wrk",
        int(requests.group(1)),
        errors,
        seconds,
        _ms(latency.get("50", "0ms")),
        _ms(latency.get("99", "0ms")),
    )
