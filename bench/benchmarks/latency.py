"""latency: p99 at a fixed 1,000 req/s (open loop, counted from when each request
was due), mmgate vs the bare ASGI app on the same core. Target: p99 < 10 ms."""

from __future__ import annotations

from bench import servers
from bench.benchmarks.accept import (
    PAUSED,
    bare_factory,
    error_note,
    interleaved,
    mmgate_factory,
    target,
)
from bench.context import Context
from bench.loadresult import LoadResult
from bench.servers import Server
from bench.table import Row, skipped


def fixed_rate(ctx: Context, server: Server) -> LoadResult:
    o = ctx.options
    ctx.load.fixed_rate(target(server), o.warmup, o.fixed_rate, ctx.cores.load)
    return ctx.load.fixed_rate(target(server), o.seconds, o.fixed_rate, ctx.cores.load)


def run(ctx: Context) -> list[Row]:
    failed = {PAUSED: ""}  # the diagnostic launcher may fail to start alone
    measured = interleaved(
        ctx,
        {
            "bare": bare_factory(ctx),
            "mmgate": mmgate_factory(ctx),
            PAUSED: mmgate_factory(ctx, servers.ACCEPT_ONLY),
        },
        lambda server: fixed_rate(ctx, server),
        optional=failed,
    )
    bare, mm = measured["bare"], measured["mmgate"]
    rate = f"{ctx.options.fixed_rate:,.0f} req/s"
    note = f"python open loop at {rate}; target < 10 ms {error_note(mm)}"
    rows = [
        Row("latency", f"p50 at {rate}", "ms", mm.p50, bare.p50, "bare ASGI", ""),
        Row("latency", f"p99 at {rate}", "ms", mm.p99, bare.p99, "bare ASGI", note),
    ]
    metric = f"p99 at {rate}, dispatch paused"
    if PAUSED not in measured:
        return [*rows, skipped("latency", metric, failed[PAUSED])]
    paused = measured[PAUSED]
    note = f"diagnostic: accept path alone {error_note(paused)}"
    return [*rows, Row("latency", metric, "ms", paused.p99, bare.p99, "bare ASGI", note)]
