"""Command-line options: full runs by default, `--quick` for the smoke test."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from pathlib import Path

BENCHMARKS = (
    "accept",
    "latency",
    "end-to-end",
    "open-loop",
    "growth",
    "memory",
    "scheduler",
    "scale-out",
)
RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Options:
    runs: int = 3
    seconds: float = 5.0  # one measured load run
    warmup: float = 2.0  # load before each measured run, not counted
    connections: int = 64
    fixed_rate: float = 1000.0
    e2e_seconds: float = 10.0  # sending time of one end-to-end run
    open_rate: float = 1000.0  # msg/s of the open-loop run
    open_seconds: float = 60.0  # sending time of one open-loop run
    grace: float = 10.0  # open loop: wait past the lifecycle before counting unfinished
    wiremock_warm: float = 15.0  # more load on the same JVM before its warm row (0: none)
    sizes: tuple[int, ...] = (0, 1_000_000, 10_000_000)
    campaign: int = 100_000
    scheduler_events: int = 1_000_000
    only: tuple[str, ...] = BENCHMARKS
    load: str = "auto"  # auto | wrk | python
    results: Path = RESULTS_DIR
    quick: bool = False


QUICK = Options(
    runs=1,
    seconds=1.0,
    warmup=0.5,
    connections=16,
    fixed_rate=200.0,
    e2e_seconds=1.0,
    open_rate=200.0,
    open_seconds=3.0,
    grace=5.0,
    wiremock_warm=0.0,
    sizes=(0, 2_000),
    campaign=500,
    scheduler_events=20_000,
    quick=True,
)


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(float(part)) for part in text.split(",") if part.strip())


def _names(text: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown benchmark(s) {sorted(unknown)}")
    return names


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="bench/run",
        description="mmgate benchmarks: every figure a ratio against a same-run baseline.",
    )
    parser.add_argument("--quick", action="store_true", help="tiny runs (smoke test)")
    parser.add_argument("--runs", type=int, help="runs per figure; the median is reported")
    parser.add_argument("--seconds", type=float, help="length of one measured load run")
    parser.add_argument("--warmup", type=float, help="unmeasured load before each run")
    parser.add_argument("--connections", type=int, help="concurrent connections (wrk -c)")
    parser.add_argument("--fixed-rate", type=float, help="requests/s of the latency run")
    parser.add_argument("--e2e-seconds", type=float, help="sending time of an end-to-end run")
    parser.add_argument("--open-rate", type=float, help="msg/s of the open-loop run")
    parser.add_argument("--open-seconds", type=float, help="sending time of the open-loop run")
    parser.add_argument("--grace", type=float, help="open loop: seconds past the lifecycle")
    parser.add_argument(
        "--wiremock-warm", type=float, help="seconds of extra load before WireMock's warm row"
    )
    parser.add_argument("--sizes", type=_ints, help="stored messages, e.g. 0,1000000")
    parser.add_argument("--campaign", type=int, help="recipients of the memory campaign")
    parser.add_argument("--scheduler-events", type=int, help="pending events to advance over")
    parser.add_argument("--only", type=_names, help=f"comma list of {','.join(BENCHMARKS)}")
    parser.add_argument("--load", choices=["auto", "wrk", "python"], help="load generator")
    parser.add_argument("--results", type=Path, help="where logs and JSON go")
    args = parser.parse_args(argv)
    options = QUICK if args.quick else Options()
    given = {
        name: value for name, value in vars(args).items() if value is not None and name != "quick"
    }
    return replace(options, **given)
