"""The Python load generator: a closed loop (the fallback when wrk is missing) and a
fixed-rate open loop (wrk cannot hold a fixed rate; wrk2 is not in Debian).

Fixed rate: request i is due at start + i/rate whether or not earlier answers came
back, and its latency is counted from when it was *due*, not when it left, so a
stalled server cannot hide its stall (no coordinated omission). At 1,000 req/s this
generator uses a fraction of its own core, far from being the bottleneck.

Run as `python -m bench.pyload ...`; prints one JSON object (a LoadResult).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

from bench.loadresult import LoadResult, percentile
from bench.rawhttp import ClientConnection, request_bytes


class Recorder:
    def __init__(self) -> None:
        self.latencies_ms: list[float] = []
        self.errors = 0

    def record(self, status: int, started: float) -> None:
        if 200 <= status < 300:
            self.latencies_ms.append((time.perf_counter() - started) * 1000)
        else:
            self.errors += 1

    def result(self, tool: str, seconds: float) -> LoadResult:
        ordered = sorted(self.latencies_ms)
        return LoadResult(
            tool,
            len(ordered),
            self.errors,
            seconds,
            percentile(ordered, 0.50),
            percentile(ordered, 0.99),
        )


async def closed_loop(
    host: str, port: int, raw: bytes, seconds: float, connections: int
) -> LoadResult:
    recorder = Recorder()
    pool = [await ClientConnection.open(host, port) for _ in range(connections)]
    started = time.perf_counter()
    deadline = started + seconds

    async def worker(connection: ClientConnection) -> None:
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            try:
                status, _ = await asyncio.wait_for(connection.request(raw), 10.0)
            except (OSError, TimeoutError):
                recorder.errors += 1
                return
            recorder.record(status, sent)

    await asyncio.gather(*(worker(c) for c in pool))
    elapsed = time.perf_counter() - started
    for connection in pool:
        connection.close()
    return recorder.result("python-closed", elapsed)


async def fixed_rate(
    host: str, port: int, raw: bytes, seconds: float, rate: float, connections: int
) -> LoadResult:
    recorder = Recorder()
    idle: asyncio.Queue[ClientConnection] = asyncio.Queue()
    for _ in range(connections):
        idle.put_nowait(await ClientConnection.open(host, port))
    in_flight: set[asyncio.Task[None]] = set()

    async def one(due: float) -> None:
        connection = await idle.get()  # waiting for a free connection counts as latency
        try:
            status, _ = await asyncio.wait_for(connection.request(raw), 10.0)
        except (OSError, TimeoutError):
            recorder.errors += 1
            return
        idle.put_nowait(connection)
        recorder.record(status, due)

    started = time.perf_counter()
    total = int(seconds * rate)
    issued = 0
    while issued < total:
        now = time.perf_counter()
        due_now = min(total, int((now - started) * rate) + 1)
        while issued < due_now:
            task = asyncio.create_task(one(started + issued / rate))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            issued += 1
        await asyncio.sleep(max(0.0, started + issued / rate - time.perf_counter()))
    if in_flight:
        await asyncio.wait(in_flight, timeout=15.0)
    elapsed = time.perf_counter() - started
    while not idle.empty():
        idle.get_nowait().close()
    return recorder.result("python-fixed-rate", elapsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mode", choices=["closed", "fixed"], required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--header", action="append", default=[], help="Name: value")
    parser.add_argument("--body-file")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rate", type=float, default=1000.0)
    args = parser.parse_args()
    url = urlsplit(args.url)
    headers = dict(h.split(": ", 1) for h in args.header)
    body = Path(args.body_file).read_bytes() if args.body_file else b""
    raw = request_bytes("POST" if body else "GET", url.path or "/", headers, body)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    import uvloop

    if args.mode == "closed":
        work = closed_loop(host, port, raw, args.seconds, args.connections)
    else:
        work = fixed_rate(host, port, raw, args.seconds, args.rate, args.connections)
    print(json.dumps(asdict(uvloop.run(work))))


if __name__ == "__main__":
    main()
