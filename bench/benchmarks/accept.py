"""accept: POST /marketing_messages on one core vs a bare ASGI constant app on the
same core, closed loop (wrk -t1 -c64 by default), interleaved run by run so drift
on a shared machine hits both alike.

Four servers take turns each round, every run on a freshly started server: the bare
ASGI app, WireMock (the peer: a cold JVM with one stub, see bench/wiremock.py),
`mmgate serve` with its whole pipeline running, and mmgate with its upstream
dispatch paused (the accept path alone). Targets: mmgate >= 3x WireMock cold, the
accept path alone >= 0.5x bare ASGI."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from bench import servers, wiremock
from bench.context import Context
from bench.load import Target
from bench.loadresult import LoadResult
from bench.options import RESULTS_DIR
from bench.table import Row, skipped
from bench.workspace import SEND_HEADERS, SEND_PATH, send_body

ServerFactory = Callable[[], contextlib.AbstractContextManager[servers.Server]]
WIREMOCK = "WireMock cold"
PAUSED = "mmgate, dispatch paused"
PAUSED_METRIC = "req/s, dispatch paused"
WIREMOCK_PREFIX = RESULTS_DIR / "cache" / "wiremock"  # where `npm install --prefix` puts it
WIREMOCK_METRICS = ("req/s vs WireMock cold", "WireMock cold req/s")


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
    *,
    optional: dict[str, str] | None = None,
    measures: dict[str, Callable[[servers.Server], LoadResult]] | None = None,
) -> dict[str, Samples]:
    """Run every server once per round, `runs` rounds, each on a fresh server,
    measured by `measure` or by its own entry in `measures`.

    A server named in `optional` that fails to start is dropped from the rounds
    (the reason goes into `optional[name]`) instead of failing the benchmark."""
    samples = {name: Samples() for name in factories}
    active = dict(factories)
    for round_ in range(ctx.options.runs):
        for name, factory in list(active.items()):
            ctx.log(f"{name}: run {round_ + 1}/{ctx.options.runs}")
            try:
                with factory() as server:
                    result = (measures or {}).get(name, measure)(server)
            except RuntimeError as exc:
                if optional is None or name not in optional:
                    raise
                optional[name] = f"failed to start: {str(exc).splitlines()[-1]}"[:200]
                del active[name], samples[name]
                ctx.log(f"  {optional[name]}")
                continue
            samples[name].add(result)
            ctx.log(
                f"  {result.rps:,.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms"
            )
    return samples


def error_note(samples: Samples) -> str:
    return f"{samples.errors} non-2xx/socket errors!" if samples.errors else ""


def wiremock_factory(ctx: Context) -> tuple[ServerFactory | None, str]:
    """A fresh WireMock JVM per run, or (None, why it cannot run here)."""
    jar, why = wiremock.ensure_jar(WIREMOCK_PREFIX)
    if jar is None:
        return None, why

    def start() -> contextlib.AbstractContextManager[servers.Server]:
        root = ctx.fresh_dir("wiremock")
        return wiremock.running(jar, root, ctx.cores.server, ctx.log_file("wiremock"))

    return start, ""


def run(ctx: Context) -> list[Row]:
    """bare ASGI, WireMock (when it can run), mmgate and mmgate with the dispatch
    paused, interleaved round by round on the same core."""
    factories = {"bare": bare_factory(ctx)}
    peer, why_not = wiremock_factory(ctx)
    if peer is not None:
        factories[WIREMOCK] = peer
    factories["mmgate"] = mmgate_factory(ctx)
    factories[PAUSED] = mmgate_factory(ctx, servers.ACCEPT_ONLY)
    failed = {WIREMOCK: why_not, PAUSED: ""}  # either may fail to start without the others
    warm = Samples()

    def cold_then_warm(server: servers.Server) -> LoadResult:
        """WireMock cold as every server is measured; then, on the same JVM after
        `--wiremock-warm` more seconds of load, warm (informational)."""
        cold = closed_loop(ctx, server, ctx.cores.load)
        if ctx.options.wiremock_warm > 0:
            o = ctx.options
            ctx.load.closed_loop(target(server), o.wiremock_warm, o.connections, ctx.cores.load)
            warm.add(ctx.load.closed_loop(target(server), o.seconds, o.connections, ctx.cores.load))
            ctx.log(f"  warm after {o.wiremock_warm:.0f} s more: {warm.rps[-1]:,.0f} req/s")
        return cold

    measured = interleaved(
        ctx,
        factories,
        lambda server: closed_loop(ctx, server, ctx.cores.load),
        optional=failed,
        measures={WIREMOCK: cold_then_warm},
    )
    bare, mm = measured["bare"], measured["mmgate"]
    load = f"{ctx.load.tool}, {ctx.options.connections} conns, 1 core"
    rows = [
        Row("accept", "req/s", "req/s", mm.rps, bare.rps, "bare ASGI", f"{load} {error_note(mm)}"),
        Row("accept", "p50 latency", "ms", mm.p50, bare.p50, "bare ASGI", "lower is better"),
        Row("accept", "p99 latency", "ms", mm.p99, bare.p99, "bare ASGI", "lower is better"),
    ]
    if PAUSED in measured:
        paused = measured[PAUSED]
        note = f"accept path alone; target >= 0.5x {error_note(paused)}"
        rows.append(Row("accept", PAUSED_METRIC, "req/s", paused.rps, bare.rps, "bare ASGI", note))
    else:
        rows.append(skipped("accept", PAUSED_METRIC, failed[PAUSED]))
    if WIREMOCK not in measured:
        return rows + [skipped("accept", metric, failed[WIREMOCK]) for metric in WIREMOCK_METRICS]
    cold = measured[WIREMOCK]
    return [
        *rows,
        Row(
            "accept",
            WIREMOCK_METRICS[0],
            "req/s",
            mm.rps,
            cold.rps,
            "WireMock cold",
            f"whole pipeline running; target >= 3x {error_note(mm)}",
        ),
        Row(
            "accept",
            WIREMOCK_METRICS[1],
            "req/s",
            cold.rps,
            bare.rps,
            "bare ASGI",
            f"peer: fresh JVM, default settings, one stub {error_note(cold)}",
        ),
        *_warm_row(ctx, mm, warm),
    ]


def _warm_row(ctx: Context, mm: Samples, warm: Samples) -> list[Row]:
    if not warm.rps:
        return []
    return [
        Row(
            "accept",
            f"req/s vs WireMock warmed {ctx.options.wiremock_warm:.0f} s more",
            "req/s",
            mm.rps,
            warm.rps,
            "WireMock warm",
            "informational: the same JVM after more load (its JIT at work)",
        )
    ]
