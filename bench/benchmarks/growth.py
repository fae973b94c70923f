"""growth: the accept benchmark (one core, closed loop) against databases that already
hold 0, 1M and 10M messages; the ratio is against the empty database, run by run.
Target: at 10M within 10% of empty."""

from __future__ import annotations

import time

from bench import prefill, servers
from bench.benchmarks.accept import Samples, closed_loop, error_note
from bench.context import Context
from bench.table import Row


def run(ctx: Context) -> list[Row]:
    sizes = sorted(set(ctx.options.sizes) | {0})
    data_dirs = {size: prefill.filled(ctx, size) for size in sizes}
    samples = {size: Samples() for size in sizes}
    for round_ in range(ctx.options.runs):
        for size in sizes:  # interleaved, so drift on the machine hits every size alike
            ctx.log(f"accept with {size:,} stored: run {round_ + 1}/{ctx.options.runs}")
            since = time.time() - 1
            try:
                with servers.mmgate(
                    data_dirs[size], ctx.cores.server, ctx.log_file(f"growth-{size}")
                ) as server:
                    result = closed_loop(ctx, server, ctx.cores.load)
                samples[size].add(result)
                ctx.log(f"  {result.rps:,.0f} req/s, p99 {result.p99_ms:.1f} ms")
            finally:
                prefill.reset(data_dirs[size] / "gateway.db", since)
    empty = samples[0]
    return [
        Row(
            "growth",
            f"accept req/s, {size:,} stored",
            "req/s",
            samples[size].rps,
            empty.rps,
            "empty db",
            f"p99 {max(samples[size].p99):,.0f} ms (worst run) {error_note(samples[size])}",
        )
        for size in sizes
    ]
