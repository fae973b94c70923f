"""open-loop: `mmgate serve` with its defaults (SQLite, embedded emulator, sandbox
clock with its real short delays) fed at a fixed rate (default 1,000 msg/s) for
`--open-seconds` (default 60 s), whole pipeline running, against a receiver that
records and checks every webhook (bench/openloop_client.py).

Its targets are absolute (issue 14: p99 accept < 20 ms; p99 accept -> `read` within
the emulated lifecycle + 1 s; no backlog that grows), so those rows' baseline is
the target itself: <= 1.00x meets it. The backlog row compares the p99 lag of the
sends in the last window (10 s, or a third of a shorter run) with the first, and
counts the messages overdue (no `read` 1 s past the lifecycle) at the end of sending
against after the first window: a backlog that grows shows there even when every
message, early or late, waits behind it. Per-message records go to
`<run>-records.csv` beside the server's data (times in s from the first send).
Correctness counts are absolute: every accepted message must get `sent`, `delivered`
and `read` in that order, signed, by the end of sending + lifecycle + `--grace`.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from typing import Any

from bench import counters, procs, servers
from bench.benchmarks.end_to_end import emulated_delays
from bench.context import Context
from bench.cores import pinned
from bench.lifecycle_check import OVERDUE_AFTER_S
from bench.table import Row, median

ACCEPT_P99_TARGET_MS = 20.0
LAG_P99_TARGET_MS = 1000.0
CLIENT_SLACK_SECONDS = 120.0
TOP_TIER = 1000  # msg/s per phone number
CLIENT_BUSY_WARNING = 0.8  # of one core


def tier(rate: float) -> str:
    """The per-number throughput limit of the open-loop server: Meta's top tier
    (1,000 msg/s), or the run's rate if higher. The closed-loop benchmarks switch the
    limit off; here it is on, as for a real top-tier number, and its cost is measured."""
    return str(max(TOP_TIER, math.ceil(rate)))


def one_run(ctx: Context) -> dict[str, Any]:
    o = ctx.options
    data = ctx.fresh_dir("open-loop")
    changes = data.parent / f"{data.name}-changes"
    with servers.mmgate(
        data,
        ctx.cores.all_cores,
        ctx.log_file(data.name),
        clock="sandbox",
        env={**counters.server_env(changes), "MMGATE_THROUGHPUT_PER_NUMBER": tier(o.open_rate)},
    ) as server:
        lifecycle = emulated_delays()[1]
        command = [sys.executable, "-m", "bench.openloop_client", "--base-url", server.base_url]
        command += ["--receiver-port", str(procs.free_port())]
        command += ["--rate", str(o.open_rate), "--seconds", str(o.open_seconds)]
        command += ["--warmup", str(max(0.5, o.warmup)), "--grace", str(o.grace)]
        command += ["--lifecycle", str(lifecycle)]
        command += ["--server-pid", str(server.process.pid), "--changes-dir", str(changes)]
        command += ["--sqlite-db", str(data / "gateway.db")]
        command += ["--records", str(data.parent / f"{data.name}-records.csv")]
        limit = 2 * (o.open_seconds + lifecycle + o.grace) + o.warmup + CLIENT_SLACK_SECONDS
        done = subprocess.run(
            pinned(command, ctx.cores.all_cores),
            capture_output=True,
            text=True,
            timeout=limit,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"open-loop client failed: {done.stderr.strip()[-300:]}")
        (data.parent / f"{data.name}-result.json").write_text(done.stdout)
        result: dict[str, Any] = json.loads(done.stdout)
        return result


def rows_for(results: list[dict[str, Any]]) -> list[Row]:
    first = results[0]
    rate = f"{first['rate']:,.0f} msg/s"
    window = f"{first['window_s']:.0f} s"

    def total(key: str) -> int:
        return sum(int(r[key]) for r in results)

    accepted = total("accepted")
    cost = [r["cost"] for r in results if r.get("cost")]
    if total("unfinished"):  # their work is in the counters, they are not in the divisor
        cost_note = "; CPU and rows per message: n/a while messages are unfinished"
    elif cost:
        cost_note = (
            f"; {median([c['cpu_ms'] for c in cost]):.2f} ms CPU and "
            f"{median([c['write_rows'] for c in cost]):.1f} rows per message"
        )
    else:
        cost_note = ""
    unknown_lag = any(
        r["lag_p99_first_ms"] is None or r["lag_p99_last_ms"] is None for r in results
    )
    errors = f"; {total('send_errors')} sends refused/failed!" if total("send_errors") else ""
    busy = max(r.get("client_busy", 0.0) for r in results)
    if busy > CLIENT_BUSY_WARNING:
        errors += f"; the client itself was {busy:.0%} busy: numbers may be the client's"
    if total("warmup_unfinished"):
        errors += f"; warm-up not drained ({total('warmup_unfinished')} unfinished)"
    grows = [r for r in results if r["backlog_grows"]]
    if any(r["backlog_grows"] is None for r in results):
        verdict = "run too short to tell growth"
    else:
        verdict = f"GROWS in {len(grows)} of {len(results)} run(s)" if grows else "flat"
    drain = [r["last_read_after_last_send_s"] or 0.0 for r in results]
    return [
        Row(
            "open-loop",
            f"p99 accept at {rate}",
            "ms",
            [r["accept_p99_ms"] for r in results],
            [ACCEPT_P99_TARGET_MS] * len(results),
            "target",
            f"p50 {median([r['accept_p50_ms'] for r in results]):.1f} ms; accepted at "
            f"{median([r['accept_rate'] for r in results]):,.0f} msg/s, whole pipeline, "
            f"number limit {tier(first['rate'])}/s{errors}",
        ),
        Row(
            "open-loop",
            "p99 accept -> read, beyond the lifecycle",
            "ms",
            [r["lag_p99_ms"] for r in results],
            [LAG_P99_TARGET_MS] * len(results),
            "target",
            f"p50 {median([r['lag_p50_ms'] for r in results]):,.0f} ms; lag = read webhook "
            f"- accept answer - emulated {emulated_delays()[1]:.1f} s{cost_note}",
        ),
        Row(
            "open-loop",
            f"p99 lag, last {window} vs first {window}",
            "ms",
            [r["lag_p99_last_ms"] for r in results if r["lag_p99_last_ms"] is not None],
            [r["lag_p99_first_ms"] for r in results if r["lag_p99_first_ms"] is not None],
            f"first {window}",
            "lag of the messages sent in each window"
            + ("; a window where none finished has no lag (—)" if unknown_lag else ""),
        ),
        Row(
            "open-loop",
            "backlog: messages overdue at end of sending",
            "msgs",
            [float(r["overdue_end"]) for r in results],
            [float(r["overdue_first"]) for r in results if r["overdue_first"] is not None],
            f"at {first['overdue_first_at_s']:.0f} s",
            f"{verdict}; overdue = no read {OVERDUE_AFTER_S:.0f} s past the lifecycle; "
            f"last read {median(drain):.1f} s after the last send",
        ),
        Row(
            "open-loop",
            "messages not finished after end + grace",
            "msgs",
            [float(r["unfinished"]) for r in results],
            note=f"of {accepted:,} accepted; grace {first['grace_s']:.0f} s past the lifecycle"
            "; target 0",
        ),
        Row(
            "open-loop",
            "messages with webhooks out of order",
            "msgs",
            [float(r["out_of_order"]) for r in results],
            note=f"{total('duplicates')} repeated webhooks (at least once); "
            f"{total('unexpected_statuses')} other statuses; target 0",
        ),
        Row(
            "open-loop",
            "webhooks unsigned or badly signed",
            "hooks",
            [float(r["bad_signatures"]) for r in results],
            note=f"of {total('webhooks'):,} received (carrying {total('statuses'):,} statuses); "
            f"{total('unreadable_webhooks')} unreadable"
            "; target 0",
        ),
    ]


def run(ctx: Context) -> list[Row]:
    results = []
    for round_ in range(ctx.options.runs):
        o = ctx.options
        ctx.log(
            f"open loop at {o.open_rate:,.0f} msg/s for {o.open_seconds:.0f} s: run {round_ + 1}"
        )
        results.append(one_run(ctx))
        ctx.log(f"  {json.dumps(results[-1])}")
    return rows_for(results)
