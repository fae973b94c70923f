"""growth: the accept benchmark (one core, closed loop) against databases that already
hold 0, 1M and 10M messages; the ratio is against the empty database, run by run.
Target: at 10M within 10% of empty.

Each size is also run with the upstream dispatch paused (diagnostic): the accept path
alone is ~4x faster, so the database's share of its cost, the part that can grow with
the data, is larger and easier to see through the noise of the shared machine."""

from __future__ import annotations

import time
from pathlib import Path

from bench import prefill, servers
from bench.benchmarks.accept import Samples, closed_loop, error_note
from bench.context import Context
from bench.loadresult import LoadResult
from bench.table import Row

VARIANTS = {"": servers.SERVE, ", dispatch paused": servers.ACCEPT_ONLY}


def run(ctx: Context) -> list[Row]:
    sizes = sorted(set(ctx.options.sizes) | {0})
    data_dirs = {size: prefill.filled(ctx, size) for size in sizes}
    samples = {(size, v): Samples() for size in sizes for v in VARIANTS}
    for round_ in range(ctx.options.runs):
        for size in sizes:  # interleaved, so drift on the machine hits every size alike
            for variant, launcher in VARIANTS.items():
                ctx.log(f"accept{variant}, {size:,} stored: run {round_ + 1}/{ctx.options.runs}")
                result = _accept(ctx, data_dirs[size], launcher, f"growth-{size}")
                samples[size, variant].add(result)
                ctx.log(f"  {result.rps:,.0f} req/s, p99 {result.p99_ms:.1f} ms")
    return [
        Row(
            "growth",
            f"accept req/s, {size:,} stored{variant}",
            "req/s",
            samples[size, variant].rps,
            samples[0, variant].rps,
            f"empty db{variant}",
            f"p99 {max(samples[size, variant].p99):,.0f} ms (worst run) "
            + error_note(samples[size, variant]),
        )
        for variant in VARIANTS
        for size in sizes
    ]


def _accept(ctx: Context, data_dir: Path, launcher: list[str], log: str) -> LoadResult:
    """One accept run on `data_dir`, whose database is put back as it was afterwards."""
    since = time.time() - 1
    try:
        with servers.mmgate(
            data_dir, ctx.cores.server, ctx.log_file(log), launcher=launcher
        ) as server:
            return closed_loop(ctx, server, ctx.cores.load)
    finally:
        prefill.reset(data_dir / "gateway.db", since)
