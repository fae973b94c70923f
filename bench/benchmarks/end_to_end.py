"""end-to-end: messages/s from accept to the last `read` webhook at a local receiver,
with the embedded emulator (sandbox clock, real short delays), everything sharing
the machine's 2 cores; plus p99 accept -> `delivered` webhook.

Baseline: the bare ASGI app's req/s on the same 2 cores (wrk sharing them too)
divided by WIRE_EXCHANGES, the HTTP exchanges a message costs on the wire: 1 send
+ 3 relayed webhooks (sent, delivered, read). The 4 in-process exchanges with the
embedded emulator (1 Graph send, 3 Meta webhooks) are counted as mmgate's own work.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from bench import procs, servers
from bench.benchmarks.accept import target
from bench.context import Context
from bench.cores import pinned
from bench.table import Row

WIRE_EXCHANGES = 4
CLIENT_TIMEOUT = 600.0


def emulated_delays() -> tuple[float, float]:
    """How long the emulator's default user takes to get an MM API message delivered,
    and then read: the part of a lifecycle that is simulated waiting, not work."""
    from mmgate.emulator.network import MM_EXTRA_DELIVERY
    from mmgate.emulator.users import Behaviour

    user = Behaviour()
    delivered = user.delivery_delay_seconds + MM_EXTRA_DELIVERY
    return delivered, delivered + user.read_delay_seconds


def bare_rps(ctx: Context) -> float:
    o = ctx.options
    with servers.bare(ctx.cores.all_cores, ctx.log_file("bare-2cores")) as server:
        ctx.load.closed_loop(target(server), o.warmup, o.connections, ctx.cores.all_cores)
        return ctx.load.closed_loop(
            target(server), o.seconds, o.connections, ctx.cores.all_cores
        ).rps


def campaign(
    ctx: Context,
    env: dict[str, str] | None = None,
    name: str = "e2e",
    *,
    launcher: list[str] = servers.SERVE,
    check: Callable[[], None] = lambda: None,
) -> dict[str, Any]:
    """One campaign against a fresh server; `check` runs once the server is up."""
    data = ctx.fresh_dir(name)
    with servers.mmgate(
        data,
        ctx.cores.all_cores,
        ctx.log_file(data.name),
        clock="sandbox",
        env=env,
        launcher=launcher,
    ) as server:
        check()
        command = [sys.executable, "-m", "bench.e2e_client", "--base-url", server.base_url]
        command += ["--receiver-port", str(procs.free_port())]
        command += ["--seconds", str(ctx.options.e2e_seconds)]
        command += ["--warmup", str(max(0.5, ctx.options.warmup))]
        command += ["--lifecycle", str(emulated_delays()[1])]
        done = subprocess.run(
            pinned(command, ctx.cores.all_cores),
            capture_output=True,
            text=True,
            timeout=CLIENT_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"e2e client failed: {done.stderr.strip()[-300:]}")
        result: dict[str, Any] = json.loads(done.stdout)
        return result


def rows_for(label: str, bare: list[float], results: list[dict[str, Any]]) -> list[Row]:
    delay_ms = emulated_delays()[0] * 1000
    latency = [r["latency"] for r in results]
    incomplete = sum(r["accepted"] - r["completed"] for r in results)
    note = f"campaign of ~{results[0]['accepted']:,} msgs, closed loop"
    if incomplete:
        note += f"; {incomplete} never completed!"
    rate = f"at {latency[0]['rate']:,.0f} msg/s"
    return [
        Row(
            label,
            "msg/s, accept -> read webhook",
            "msg/s",
            [r["throughput"] for r in results],
            [b / WIRE_EXCHANGES for b in bare],
            f"bare ASGI 2 cores / {WIRE_EXCHANGES}",
            note,
        ),
        Row(
            label,
            "accept rate during campaign",
            "msg/s",
            [r["accept_rate"] for r in results],
            [b / WIRE_EXCHANGES for b in bare],
            f"bare ASGI 2 cores / {WIRE_EXCHANGES}",
            "informational: sends/s while the campaign was sent",
        ),
        Row(
            label,
            f"p99 accept -> delivered {rate}",
            "ms",
            [lat["p99_ms"] for lat in latency],
            [delay_ms] * len(latency),
            "emulated delay",
            f"p50 {latency[0]['p50_ms']:,.0f} ms; open loop at half the throughput",
        ),
    ]


def run(ctx: Context) -> list[Row]:
    bare: list[float] = []
    results: list[dict[str, Any]] = []
    for round_ in range(ctx.options.runs):
        ctx.log(f"bare ASGI on 2 cores: run {round_ + 1}/{ctx.options.runs}")
        bare.append(bare_rps(ctx))
        ctx.log(f"mmgate campaign: run {round_ + 1}/{ctx.options.runs}")
        results.append(campaign(ctx))
        ctx.log(f"  {json.dumps(results[-1])}")
    return rows_for("end-to-end", bare, results)
