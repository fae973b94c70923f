"""Micro-benchmark: the emulator's Scheduler on the sandbox clock, run in its own
process (`python -m bench.scheduler_advance --events N`, prints JSON).

N events are scheduled over the next hour of frozen sandbox time, then the clock
advances one hour and the scheduler's own loop fires them all. The baseline does
the same pushes and pops with a bare heapq of (due, seq, action) tuples, the data
structure's floor in Python.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import json
import random
import time
from collections.abc import Callable

HOUR = 3600.0
T0 = 1_800_000_000.0


def due_times(events: int) -> list[float]:
    rng = random.Random(1)
    return [T0 + rng.random() * HOUR for _ in range(events)]


def bare_heap(dues: list[float]) -> tuple[float, float]:
    fired = 0

    def action(now: float) -> None:
        nonlocal fired
        fired += 1

    started = time.perf_counter()
    heap: list[tuple[float, int, Callable[[float], None]]] = []
    for seq, due in enumerate(dues):
        heapq.heappush(heap, (due, seq, action))
    scheduled = time.perf_counter()
    while heap:
        heapq.heappop(heap)[2](T0 + HOUR)
    assert fired == len(dues)
    return scheduled - started, time.perf_counter() - scheduled


async def mmgate_scheduler(dues: list[float]) -> tuple[float, float]:
    from mmgate.clock import SandboxClock
    from mmgate.emulator.scheduler import Scheduler

    clock = SandboxClock(frozen_at=T0)
    scheduler = Scheduler(clock)
    all_fired = asyncio.Event()
    fired = 0

    def action(now: float) -> None:
        nonlocal fired
        fired += 1
        if fired == len(dues):
            all_fired.set()

    started = time.perf_counter()
    for due in dues:
        scheduler.at(due, action)
    scheduled = time.perf_counter()
    loop = asyncio.create_task(scheduler.run())
    await asyncio.sleep(0)  # the loop is idle: nothing is due before the jump
    advanced = time.perf_counter()
    clock.advance(HOUR)
    try:
        await asyncio.wait_for(all_fired.wait(), 600.0)
    finally:
        loop.cancel()
    return scheduled - started, time.perf_counter() - advanced


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, required=True)
    args = parser.parse_args()
    dues = due_times(args.events)
    bare_schedule, bare_fire = bare_heap(dues)
    import uvloop

    schedule, advance = uvloop.run(mmgate_scheduler(dues))
    print(
        json.dumps(
            {
                "events": args.events,
                "bare_schedule_s": bare_schedule,
                "bare_fire_s": bare_fire,
                "schedule_s": schedule,
                "advance_s": advance,
            }
        )
    )


if __name__ == "__main__":
    main()
