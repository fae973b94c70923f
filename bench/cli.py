"""`python -m bench` / `bench/run`: run the benchmarks, print the table, save JSON."""

from __future__ import annotations

import importlib
import json
import signal
import time
import traceback
from pathlib import Path

from bench import cores, wrk
from bench.context import Context
from bench.load import LoadGenerator
from bench.options import Options, parse
from bench.table import Row, render, skipped

MODULES = {
    "accept": "bench.benchmarks.accept",
    "latency": "bench.benchmarks.latency",
    "end-to-end": "bench.benchmarks.end_to_end",
    "open-loop": "bench.benchmarks.open_loop",
    "growth": "bench.benchmarks.growth",
    "memory": "bench.benchmarks.memory",
    "scheduler": "bench.benchmarks.scheduler",
    "scale-out": "bench.benchmarks.scale_out",
}


def make_context(options: Options) -> Context:
    workdir = options.results / time.strftime("%Y%m%d-%H%M%S")
    workdir.mkdir(parents=True, exist_ok=True)
    use_wrk = options.load != "python" and wrk.ensure_wrk() is not None
    if options.load == "wrk" and not use_wrk:
        raise SystemExit("wrk is not installed and could not be installed")
    return Context(options, cores.detect(), LoadGenerator(workdir, use_wrk=use_wrk), workdir)


def run_all(options: Options) -> tuple[list[Row], Context]:
    ctx = make_context(options)
    ctx.log(f"{ctx.cores.describe()}; load generator: {ctx.load.tool}; logs in {ctx.workdir}")
    rows: list[Row] = []
    for name in options.only:
        ctx.log(f"--- {name}")
        started = time.monotonic()
        try:
            module = importlib.import_module(MODULES[name])
            rows += module.run(ctx)
        except Exception as exc:  # one broken benchmark must not hide the others
            (ctx.workdir / f"{name}-error.txt").write_text(traceback.format_exc())
            rows.append(skipped(name, "", f"failed: {type(exc).__name__}: {exc}"[:200]))
        ctx.log(f"{name} took {time.monotonic() - started:.0f} s")
    return rows, ctx


def _stop_on_sigterm() -> None:
    """Turn SIGTERM (and SIGINT, which background shells ignore) into SystemExit, so
    every `finally` runs and no server we started outlives us."""

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def main(argv: list[str] | None = None) -> int:
    _stop_on_sigterm()
    options = parse(argv)
    rows, ctx = run_all(options)
    table = render(rows)
    print(table)
    saved = {
        "options": {k: str(v) for k, v in vars(options).items()},
        "cores": ctx.cores.describe(),
        "load": ctx.load.tool,
        "rows": [row.as_json() for row in rows],
    }
    (ctx.workdir / "results.json").write_text(json.dumps(saved, indent=2))
    (ctx.workdir / "table.md").write_text(table + "\n")
    _link_latest(ctx.workdir)
    return 1 if any(r.skipped and r.skipped.startswith("failed") for r in rows) else 0


def _link_latest(workdir: Path) -> None:
    latest = workdir.parent / "latest"
    if latest.is_symlink() or latest.exists():
        latest.unlink()
    latest.symlink_to(workdir.name)
