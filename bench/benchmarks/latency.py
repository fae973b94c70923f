"""latency: p99 at a fixed 1,000 req/s (open loop, counted from when each request
was due), mmgate vs the bare ASGI app on the same core. Target: p99 < 10 ms."""

from __future__ import annotations

from bench import servers
from bench.benchmarks.accept import bare_factory, error_note, interleaved, mmgate_factory, target
from bench.context import Context
from bench.loadresult import LoadResult
from bench.servers import Server
from bench.table import Row


def fixed_rate(ctx: Context, server: Server) -> LoadResult:
    o = ctx.options
    ctx.load.fixed_rate(target(server), o.warmup, o.fixed_rate, ctx.cores.load)
    return ctx.load.fixed_rate(target(server), o.seconds, o.fixed_rate, ctx.cores.load)


def run(ctx: Context) -> list[Row]:
    measured = interleaved(
        ctx,
        {
            "bare": bare_factory(ctx),
            "mmgate": mmgate_factory(ctx),
            "mmgate, dispatch paused": mmgate_factory(ctx, servers.ACCEPT_ONLY),
        },
        lambda server: fixed_rate(ctx, server),
    )
    bare, mm, paused = (measured[n] for n in ("bare", "mmgate", "mmgate, dispatch paused"))
    rate = f"{ctx.options.fixed_rate:,.0f} req/s"
    note = f"python open loop at {rate}; target < 10 ms {error_note(mm)}"
    return [
        Row("latency", f"p50 at {rate}", "ms", mm.p50, bare.p50, "bare ASGI", ""),
        Row("latency", f"p99 at {rate}", "ms", mm.p99, bare.p99, "bare ASGI", note),
        Row(
            "latency",
            f"p99 at {rate}, dispatch paused",
            "ms",
            paused.p99,
            bare.p99,
            "bare ASGI",
            f"diagnostic: accept path alone {error_note(paused)}",
        ),
    ]
