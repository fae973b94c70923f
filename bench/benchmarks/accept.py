"""accept: POST /marketing_messages on one core vs a bare ASGI constant app on the
same core, closed loop (wrk -t1 -c64 by default), interleaved run by run so drift
on a shared machine hits both alike."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bench import servers
from bench.context import Context
from bench.load import Target
from bench.loadresult import LoadResult
from bench.table import Row
from bench.workspace import SEND_HEADERS, SEND_PATH, send_body

ServerFactory = Callable[[], contextlib.AbstractContextManager[servers.Server]]


@dataclass
class Samples:
    rps: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    errors: int = 0

    def add(self, result: LoadResult) -> None:
        self.rps.append(result.rps)
        self.p50.append(result.p50_ms)
        self.p99.append(result.p99_ms)
        self.errors += result.errors


def target(server: servers.Server) -> Target:
    return Target(server.base_url + SEND_PATH, SEND_HEADERS, send_body())


def closed_loop(ctx: Context, server: servers.Server, cpus: str | None) -> LoadResult:
    o = ctx.options
    ctx.load.closed_loop(target(server), o.warmup, o.connections, cpus)
    return ctx.load.closed_loop(target(server), o.seconds, o.connections, cpus)


def bare_factory(ctx: Context) -> ServerFactory:
    return lambda: servers.bare(ctx.cores.server, ctx.log_file("bare"))


def mmgate_factory(ctx: Context, launcher: list[str] = servers.SERVE) -> ServerFactory:
    def start() -> contextlib.AbstractContextManager[servers.Server]:
        data = ctx.fresh_dir("mmgate")
        return servers.mmgate(data, ctx.cores.server, ctx.log_file(data.name), launcher=launcher)

    return start


def interleaved(
    ctx: Context,
    factories: dict[str, ServerFactory],
    measure: Callable[[servers.Server], LoadResult],
) -> dict[str, Samples]:
    """Run every server once per round, `runs` rounds, each on a fresh server."""
    samples = {name: Samples() for name in factories}
    for round_ in range(ctx.options.runs):
        for name, factory in factories.items():
            ctx.log(f"{name}: run {round_ + 1}/{ctx.options.runs}")
            with factory() as server:
                result = measure(server)
            samples[name].add(result)
            ctx.log(
                f"  {result.rps:,.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms"
            )
    return samples


def error_note(samples: Samples) -> str:
    return f"{samples.errors} non-2xx/socket errors!" if samples.errors else ""


def run(ctx: Context) -> list[Row]:
    measured = interleaved(
        ctx,
        {"bare": bare_factory(ctx), "mmgate": mmgate_factory(ctx)},
        lambda server: closed_loop(ctx, server, ctx.cores.load),
    )
    bare, mm = measured["bare"], measured["mmgate"]
    load = f"{ctx.load.tool}, {ctx.options.connections} conns, 1 core"
    rows = [
        Row("accept", "req/s", "req/s", mm.rps, bare.rps, "bare ASGI", f"{load} {error_note(mm)}"),
        Row("accept", "p50 latency", "ms", mm.p50, bare.p50, "bare ASGI", "lower is better"),
        Row("accept", "p99 latency", "ms", mm.p99, bare.p99, "bare ASGI", "lower is better"),
    ]
    return rows + list(_dispatch_paused(ctx, bare))


def _dispatch_paused(ctx: Context, bare: Samples) -> Iterator[Row]:
    """Diagnostic: the same run with the in-process upstream dispatch paused, to show
    how much of the core the accept path itself needs."""
    launcher = servers.ACCEPT_ONLY
    try:
        measured = interleaved(
            ctx,
            {"mmgate, dispatch paused": mmgate_factory(ctx, launcher)},
            lambda server: closed_loop(ctx, server, ctx.cores.load),
        )
    except RuntimeError as exc:
        yield Row("accept", "req/s, dispatch paused", "req/s", skipped=str(exc).splitlines()[-1])
        return
    paused = measured["mmgate, dispatch paused"]
    yield Row(
        "accept",
        "req/s, dispatch paused",
        "req/s",
        paused.rps,
        bare.rps,
        "bare ASGI",
        f"diagnostic: accept path alone {error_note(paused)}",
    )
