"""scheduler: time to advance the sandbox clock over 1M pending emulator events
(in-process micro-benchmark on the server core), vs a bare heapq doing the same.

The scheduler is a heap: O(log n) per push and per pop, and a tick looks at the head
only, so the ratio to the bare heapq stays flat as the number of pending events grows."""

from __future__ import annotations

import json
import subprocess
import sys

from bench.context import Context
from bench.cores import pinned
from bench.table import Row


def run(ctx: Context) -> list[Row]:
    events = ctx.options.scheduler_events
    results = []
    for round_ in range(ctx.options.runs):
        ctx.log(f"scheduler with {events:,} events: run {round_ + 1}/{ctx.options.runs}")
        command = [sys.executable, "-m", "bench.scheduler_advance", "--events", str(events)]
        done = subprocess.run(
            pinned(command, ctx.cores.server),
            capture_output=True,
            text=True,
            timeout=900,
            check=True,
        )
        results.append(json.loads(done.stdout))
    label = f"{events:,} events"
    return [
        Row(
            "scheduler",
            f"advance over {label}",
            "s",
            [r["advance_s"] for r in results],
            [r["bare_fire_s"] for r in results],
            "bare heapq pops",
            f"{events / min(r['advance_s'] for r in results):,.0f} events/s at best; O(log n) pops",
        ),
        Row(
            "scheduler",
            f"schedule {label}",
            "s",
            [r["schedule_s"] for r in results],
            [r["bare_schedule_s"] for r in results],
            "bare heapq pushes",
            "",
        ),
    ]
