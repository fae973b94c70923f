"""The end-to-end client: sends marketing messages to mmgate and receives the
relayed status webhooks in one event loop, so every send and every webhook is
timed on the same clock. Run as `python -m bench.e2e_client ...`; prints JSON.

Throughput is measured on a campaign: messages are sent as fast as mmgate accepts
them (closed loop) for a while; the campaign is done when the last `read` webhook
arrives. The emulator's users take a fixed time to deliver and read (`--lifecycle`,
3.5 s by default); an infinitely fast gateway would still take that long, so it is
pipeline fill, not work, and is taken out:
    throughput = completed / (last read - first send - emulated lifecycle)
Latency is measured apart, at half that throughput (open loop), where queues are
short: from when a send was due to when its `delivered` webhook arrived.

With `--server-pid`, what the server's process tree spent on the measured campaign
(CPU, rows changed: bench/counters.py) is divided by the messages it completed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec

from bench import counters
from bench.lifecycle_check import Hooks, check
from bench.loadresult import percentile
from bench.rawhttp import ClientConnection, RecordingServerProtocol, request_bytes
from bench.receiver import Receiver
from bench.workspace import SEND_HEADERS, SEND_PATH, campaign_recipient, send_body

DRAIN_TIMEOUT = 120.0
POLL_SECONDS = 0.05


class _Message(msgspec.Struct):
    id: str


class _SendResponse(msgspec.Struct):
    messages: list[_Message]


send_response_decoder = msgspec.json.Decoder(_SendResponse)


@dataclass
class Sender:
    host: str
    port: int
    sent: dict[str, float] = field(default_factory=dict)  # wamid -> when it was due
    errors: int = 0
    _next_recipient: int = 0

    def _request(self) -> bytes:
        self._next_recipient += 1
        body = send_body(campaign_recipient(self._next_recipient))
        return request_bytes("POST", SEND_PATH, SEND_HEADERS, body)

    async def _send(self, connection: ClientConnection, due: float) -> None:
        status, body = await asyncio.wait_for(connection.request(self._request()), 30.0)
        if status == 200:
            self.sent[send_response_decoder.decode(body).messages[0].id] = due
        else:
            self.errors += 1

    async def closed_loop(self, seconds: float, connections: int) -> None:
        pool = [await ClientConnection.open(self.host, self.port) for _ in range(connections)]
        deadline = time.perf_counter() + seconds

        async def worker(connection: ClientConnection) -> None:
            while time.perf_counter() < deadline:
                await self._send(connection, time.perf_counter())
            connection.close()

        await asyncio.gather(*(worker(c) for c in pool))

    async def count(self, total: int, connections: int) -> None:
        """Send exactly `total` messages, closed loop, to distinct recipients."""
        pool = [await ClientConnection.open(self.host, self.port) for _ in range(connections)]
        left = total

        async def worker(connection: ClientConnection) -> None:
            nonlocal left
            while left > 0:
                left -= 1
                await self._send(connection, time.perf_counter())
            connection.close()

        await asyncio.gather(*(worker(c) for c in pool))

    async def paced(self, seconds: float, rate: float, connections: int) -> None:
        idle: asyncio.Queue[ClientConnection] = asyncio.Queue()
        for _ in range(connections):
            idle.put_nowait(await ClientConnection.open(self.host, self.port))

        async def one(due: float) -> None:
            connection = await idle.get()
            await self._send(connection, due)
            idle.put_nowait(connection)

        started, total = time.perf_counter(), int(seconds * rate)
        tasks = []
        for n in range(total):
            await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(one(started + n / rate)))
        await asyncio.wait(tasks, timeout=30.0)
        while not idle.empty():
            idle.get_nowait().close()


async def _wait_until(done: Callable[[], bool], limit_seconds: float) -> None:
    """Poll `done` every 50 ms, for at most `limit_seconds` (every wait is bounded)."""
    for _ in range(int(limit_seconds / POLL_SECONDS)):
        if done():
            return
        await asyncio.sleep(POLL_SECONDS)


async def configure_webhook(host: str, port: int, receiver_port: int) -> None:
    connection = await ClientConnection.open(host, port)
    body = msgspec.json.encode({"url": f"http://127.0.0.1:{receiver_port}/hook", "headers": {}})
    status, answer = await connection.request(
        request_bytes("POST", "/v1/configs/webhook", SEND_HEADERS, body)
    )
    connection.close()
    if status != 200:
        raise RuntimeError(f"setting the webhook URL failed: {status} {answer[:200]!r}")


async def campaign_throughput(
    host: str, port: int, arrivals: Hooks, seconds: float, connections: int, lifecycle: float
) -> dict[str, Any]:
    sender = Sender(host, port)
    started = time.perf_counter()
    await sender.closed_loop(seconds, connections)
    await _wait_until(lambda: all(w in arrivals.read for w in sender.sent), DRAIN_TIMEOUT)
    done = [(sender.sent[w], arrivals.read[w]) for w in sender.sent if w in arrivals.read]
    if not done:
        raise RuntimeError("no read webhook arrived")
    last_read = max(read for _, read in done)
    shortest = min(read - sent for sent, read in done)
    span = last_read - started - lifecycle
    return {
        "accepted": len(sender.sent),
        "send_errors": sender.errors,
        "completed": len(done),
        "accept_rate": len(sender.sent) / seconds,
        "throughput": len(done) / span if span > 0 else len(done) / (last_read - started),
        "shortest_lifecycle_s": shortest,
        "campaign_s": last_read - started,
        "check": check(sender.sent, arrivals),
    }


async def delivered_latency(
    host: str, port: int, arrivals: Hooks, seconds: float, rate: float
) -> dict[str, float]:
    sender = Sender(host, port)
    await sender.paced(seconds, rate, 32)
    await _wait_until(lambda: all(w in arrivals.delivered for w in sender.sent), DRAIN_TIMEOUT)
    latencies = sorted(
        (arrivals.delivered[w] - due) * 1000
        for w, due in sender.sent.items()
        if w in arrivals.delivered
    )
    return {
        "rate": rate,
        "delivered": len(latencies),
        "sent": len(sender.sent),
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    url = urlsplit(args.base_url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    receiver = Receiver()
    arrivals = receiver.hooks
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: RecordingServerProtocol(receiver.on_request), "127.0.0.1", args.receiver_port
    )
    try:
        await configure_webhook(host, port, args.receiver_port)
        # Warm-up: template caches, connection pools, the SQLite page cache.
        await campaign_throughput(
            host, port, arrivals, args.warmup, args.connections, args.lifecycle
        )
        changes = Path(args.changes_dir) if args.changes_dir else None
        pg = counters.Postgres(args.pg_admin_url, args.pg_database) if args.pg_database else None
        db = Path(args.sqlite_db) if args.sqlite_db else None
        before = (
            await counters.settled(args.server_pid, changes, pg, db) if args.server_pid else None
        )
        throughput = await campaign_throughput(
            host, port, arrivals, args.seconds, args.connections, args.lifecycle
        )
        cost: dict[str, Any] = {}
        if before is not None:
            after = await counters.settled(args.server_pid, changes, pg, db)
            cost = counters.per_message(before, after, int(throughput["completed"]))
        rate = max(10.0, throughput["throughput"] / 2)
        latency = await delivered_latency(host, port, arrivals, args.seconds, rate)
        return {**throughput, "latency": latency, "webhooks": arrivals.webhooks, "cost": cost}
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--receiver-port", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--lifecycle", type=float, default=3.5, help="emulated send->read, s")
    parser.add_argument("--server-pid", type=int, help="measure CPU of this process tree")
    parser.add_argument("--changes-dir", help="where the server reports SQLite rows changed")
    parser.add_argument("--sqlite-db", help="the server's SQLite database (rows per table)")
    parser.add_argument("--pg-database", help="count rows changed in this PostgreSQL database")
    parser.add_argument("--pg-admin-url", help="where to read its pg_stat_database")
    args = parser.parse_args()
    import uvloop

    print(json.dumps(uvloop.run(run(args))))


if __name__ == "__main__":
    main()
