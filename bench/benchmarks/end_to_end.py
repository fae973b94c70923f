"""end-to-end: messages/s from accept to the last `read` webhook at a local receiver,
with the embedded emulator (sandbox clock, real short delays), everything sharing
the machine's 2 cores; plus p99 accept -> `delivered` webhook.

Baseline: the bare ASGI app's req/s on the same 2 cores (wrk sharing them too)
divided by WIRE_EXCHANGES, the HTTP exchanges a message costs on the wire: 1 send
+ 3 relayed webhooks (sent, delivered, read). The 4 in-process exchanges with the
embedded emulator (1 Graph send, 3 Meta webhooks) are counted as mmgate's own work.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench import counters, procs, proctree, servers
from bench.benchmarks.accept import target
from bench.context import Context
from bench.cores import pinned
from bench.table import Row, median, skipped

WIRE_EXCHANGES = 4
COST_METRICS = ("CPU per message", "durable write items per message")
CLIENT_TIMEOUT = 600.0


def emulated_delays() -> tuple[float, float]:
    """How long the emulator's default user takes to get an MM API message delivered,
    and then read: the part of a lifecycle that is simulated waiting, not work."""
    from mmgate.emulator.network import MM_EXTRA_DELIVERY
    from mmgate.emulator.users import Behaviour

    user = Behaviour()
    delivered = user.delivery_delay_seconds + MM_EXTRA_DELIVERY
    return delivered, delivered + user.read_delay_seconds


@dataclass(frozen=True)
class BareRun:
    rps: float
    cpu_ms: float  # CPU of the bare server per request


def bare_run(ctx: Context) -> BareRun:
    o = ctx.options
    with servers.bare(ctx.cores.all_cores, ctx.log_file("bare-2cores")) as server:
        ctx.load.closed_loop(target(server), o.warmup, o.connections, ctx.cores.all_cores)
        before = proctree.usage(server.process.pid)
        result = ctx.load.closed_loop(target(server), o.seconds, o.connections, ctx.cores.all_cores)
        spent = proctree.usage(server.process.pid) - before
        return BareRun(result.rps, spent.cpu_seconds * 1000 / max(1, result.requests))


def bare_rps(ctx: Context) -> float:
    return bare_run(ctx).rps


def campaign(
    ctx: Context,
    env: dict[str, str] | None = None,
    name: str = "e2e",
    *,
    launcher: list[str] = servers.SERVE,
    check: Callable[[], None] = lambda: None,
    client_args: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One campaign against a fresh server; `check` runs once the server is up."""
    data = ctx.fresh_dir(name)
    changes = data.parent / f"{data.name}-changes"
    with servers.mmgate(
        data,
        ctx.cores.all_cores,
        ctx.log_file(data.name),
        clock="sandbox",
        env={**counters.server_env(changes), **(env or {})},
        launcher=launcher,
    ) as server:
        check()
        command = [sys.executable, "-m", "bench.e2e_client", "--base-url", server.base_url]
        command += ["--server-pid", str(server.process.pid), "--changes-dir", str(changes)]
        command += ["--sqlite-db", str(data / "gateway.db")]
        command += ["--receiver-port", str(procs.free_port())]
        command += ["--seconds", str(ctx.options.e2e_seconds)]
        command += ["--warmup", str(max(0.5, ctx.options.warmup))]
        command += ["--lifecycle", str(emulated_delays()[1]), *client_args]
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


def _database_share(costs: list[dict[str, Any]]) -> str:
    if not costs[0].get("database_backends"):
        return ""
    share = median([c["database_cpu_ms"] for c in costs])
    return f" + its {costs[0]['database_backends']} PostgreSQL backends ({share:.2f} ms)"


def cost_rows(
    label: str, bare: list[BareRun], results: list[dict[str, Any]], suffix: str = ""
) -> list[Row]:
    """CPU and durable write items per completed message, each a row of its own."""
    metrics = [metric + suffix for metric in COST_METRICS]
    costs = [r["cost"] for r in results if r.get("cost")]
    if not costs:
        return [skipped(label, metric, "server not measured") for metric in metrics]
    kb = f"{median([c['write_bytes'] for c in costs]) / 1024:.1f} KB"
    incomplete = sum(r["accepted"] - r["completed"] for r in results)
    # Their work is in the counters but not in the divisor.
    overstated = f"; {incomplete} never completed: overstated!" if incomplete else ""
    rows = [
        Row(
            label,
            metrics[0],
            "ms",
            [c["cpu_ms"] for c in costs],
            [b.cpu_ms * WIRE_EXCHANGES for b in bare],
            f"bare ASGI x {WIRE_EXCHANGES} exchanges",
            f"utime+stime of the server's process tree ({costs[0]['processes']} process(es))"
            f"{_database_share(costs)} / messages completed; it wrote {kb} to disk per message"
            + overstated,
        )
    ]
    counted = [c for c in costs if c["counted"]]
    if not counted:
        rows.append(skipped(label, metrics[1], "no database reported its rows changed"))
        return rows
    by_file = ", ".join(f"{name} {n:.2f}" for name, n in counted[0]["rows_by_file"].items())
    if counted[0].get("transactions") is not None:
        source = "pg_stat_database"
        by_file += f"; {median([c['transactions'] for c in counted]):.1f} transactions/msg"
        by_file += "; inserted/updated/deleted per msg by table: "
    else:
        source = "SQLite total_changes"
        by_file += "; net new rows per msg by table: "
    by_file += ", ".join(
        f"{table} {'/'.join(f'{n:.2g}' for n in moved)}"
        for table, moved in counted[0].get("tables", {}).items()
    )
    rows.append(
        Row(
            label,
            metrics[1],
            "rows",
            [c["write_rows"] for c in counted],
            note=f"rows inserted/updated/deleted ({source}): {by_file or 'none'}{overstated}",
        )
    )
    return rows


def check_note(checks: list[dict[str, int]]) -> str:
    """What the receiver found wrong over the measured campaigns, or that nothing was."""
    if not all(checks):
        return "not checked"
    problems = {
        "unfinished": "without all 3 statuses",
        "out_of_order": "out of order",
        "bad_signatures": "webhooks badly signed",
        "unreadable_webhooks": "webhooks unreadable",
    }
    found = [f"{sum(c[key] for c in checks)} {what}" for key, what in problems.items()]
    found = [text for text in found if not text.startswith("0 ")]
    if found:
        return ", ".join(found) + "!"
    return "every message sent/delivered/read in order, signed"


def rows_for(label: str, bare: list[float], results: list[dict[str, Any]]) -> list[Row]:
    delay_ms = emulated_delays()[0] * 1000
    latency = [r["latency"] for r in results]
    incomplete = sum(r["accepted"] - r["completed"] for r in results)
    note = f"campaign of ~{results[0]['accepted']:,} msgs, closed loop"
    if incomplete:
        note += f"; {incomplete} never completed!"
    note += "; " + check_note([r.get("check", {}) for r in results])
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
    bare: list[BareRun] = []
    results: list[dict[str, Any]] = []
    for round_ in range(ctx.options.runs):
        ctx.log(f"bare ASGI on 2 cores: run {round_ + 1}/{ctx.options.runs}")
        bare.append(bare_run(ctx))
        ctx.log(f"mmgate campaign: run {round_ + 1}/{ctx.options.runs}")
        results.append(campaign(ctx))
        ctx.log(f"  {json.dumps(results[-1])}")
    rows = rows_for("end-to-end", [b.rps for b in bare], results)
    rows[0] = dataclasses.replace(rows[0], note=rows[0].note + "; target >= 0.55x, >= 1,500 msg/s")
    return rows + cost_rows("end-to-end", bare, results)
