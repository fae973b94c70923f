"""The open-loop client: sends marketing messages at a fixed rate for a while and
records every status webhook mmgate relays, in one event loop on one clock.
Run as `python -m bench.openloop_client ...`; prints one JSON object.

Send i is due at start + i/rate whether or not earlier answers came back, and its
accept latency counts from when it was due (no coordinated omission). The receiver
answers 200 at once, checks each webhook's signature (`X-Mmgate-Signature-256` over
`timestamp.body` with the partner's secret) and records (wamid, status, arrival).
After the last send it waits until every accepted message got its `read` webhook,
or until the emulated lifecycle plus `--grace` seconds have passed; what has not
finished by then counts as unfinished. bench/lifecycle_check.py does the sums.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench import counters
from bench.e2e_client import configure_webhook, send_response_decoder
from bench.lifecycle_check import ORDER, Hooks, Send, analyse, first_arrivals
from bench.rawhttp import ClientConnection, RecordingServerProtocol, request_bytes
from bench.receiver import Receiver
from bench.workspace import SEND_HEADERS, SEND_PATH, campaign_recipient, send_body

CONNECTIONS = 64
SEND_TIMEOUT = 30.0
POLL_SECONDS = 0.05


class OpenLoop:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._recipient = 0

    def _request(self) -> bytes:
        self._recipient += 1
        body = send_body(campaign_recipient(self._recipient))
        return request_bytes("POST", SEND_PATH, SEND_HEADERS, body)

    async def run(self, seconds: float, rate: float) -> list[Send]:
        idle: asyncio.Queue[ClientConnection] = asyncio.Queue()
        for _ in range(CONNECTIONS):
            idle.put_nowait(await ClientConnection.open(self.host, self.port))
        sends: list[Send] = []

        async def one(send: Send) -> None:
            connection = await idle.get()  # waiting for a free connection counts too
            try:
                status, body = await asyncio.wait_for(
                    connection.request(self._request()), SEND_TIMEOUT
                )
            except (OSError, TimeoutError):
                send.answered = time.perf_counter()
                connection.close()
                idle.put_nowait(await ClientConnection.open(self.host, self.port))
                return
            send.answered = time.perf_counter()
            idle.put_nowait(connection)
            if status == 200:
                send.wamid = send_response_decoder.decode(body).messages[0].id

        started, total = time.perf_counter(), int(seconds * rate)
        tasks: set[asyncio.Task[None]] = set()
        while len(sends) < total:
            due_now = min(total, int((time.perf_counter() - started) * rate) + 1)
            while len(sends) < due_now:
                send = Send(started + len(sends) / rate)
                sends.append(send)
                task = asyncio.create_task(one(send))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            await asyncio.sleep(max(0.0, started + len(sends) / rate - time.perf_counter()))
        if tasks:
            await asyncio.wait(tasks, timeout=SEND_TIMEOUT)
        while not idle.empty():
            idle.get_nowait().close()
        return sends


async def wait_finished(sends: list[Send], hooks: Hooks, limit_seconds: float) -> None:
    """Until every accepted message has its `read` webhook, at most `limit_seconds`."""
    deadline = time.perf_counter() + limit_seconds
    pending = [s.wamid for s in sends if s.wamid is not None]
    while pending and time.perf_counter() < deadline:
        pending = [w for w in pending if w not in hooks.read]
        await asyncio.sleep(POLL_SECONDS)


def write_records(path: Path, sends: list[Send], hooks: Hooks) -> None:
    """One line per send: due, answered, wamid, first sent/delivered/read (s from the
    first send; empty when it never came)."""
    origin = sends[0].due if sends else 0.0

    def at(value: float | None) -> str:
        return "" if value is None else f"{value - origin:.4f}"

    lines = ["due,answered,wamid,sent,delivered,read"]
    for send in sends:
        firsts = first_arrivals(hooks.arrivals.get(send.wamid or "", []))
        times = [at(firsts.get(status)) for status in ORDER]
        lines.append(",".join([at(send.due), at(send.answered), send.wamid or "", *times]))
    path.write_text("\n".join(lines) + "\n")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    url = urlsplit(args.base_url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    receiver = Receiver()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: RecordingServerProtocol(receiver.on_request), "127.0.0.1", args.receiver_port
    )
    sender = OpenLoop(host, port)
    try:
        await configure_webhook(host, port, args.receiver_port)
        # Warm-up at the same rate, drained before the measured run starts.
        warm = await sender.run(args.warmup, args.rate)
        await wait_finished(warm, receiver.hooks, args.lifecycle + args.grace)
        warm_unfinished = sum(1 for s in warm if s.wamid and s.wamid not in receiver.hooks.read)
        changes = Path(args.changes_dir) if args.changes_dir else None
        db = Path(args.sqlite_db) if args.sqlite_db else None
        before = (
            await counters.settled(args.server_pid, changes, db=db) if args.server_pid else None
        )
        receiver.hooks = Hooks()
        client_cpu = time.process_time()
        sends = await sender.run(args.seconds, args.rate)
        sending_ended = time.perf_counter()
        # This process's own CPU share while sending: near 1.0 it was the bottleneck.
        client_busy = (time.process_time() - client_cpu) / max(1e-9, args.seconds)
        await wait_finished(sends, receiver.hooks, args.lifecycle + args.grace)
        drained = time.perf_counter() - sending_ended
        window = min(10.0, args.seconds / 3)
        result = analyse(sends, receiver.hooks, args.lifecycle, window)
        if args.records:
            write_records(Path(args.records), sends, receiver.hooks)
        if before is not None:
            after = await counters.settled(args.server_pid, changes, db=db)
            result["cost"] = counters.per_message(before, after, result["finished"])
        return {
            **result,
            "rate": args.rate,
            "grace_s": args.grace,
            "drained_s": drained,
            "warmup_unfinished": warm_unfinished,
            "client_busy": client_busy,
        }
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--receiver-port", type=int, required=True)
    parser.add_argument("--rate", type=float, default=1000.0, help="sends per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to send")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--grace", type=float, default=10.0, help="wait past the lifecycle, s")
    parser.add_argument("--lifecycle", type=float, default=3.5, help="emulated send->read, s")
    parser.add_argument("--server-pid", type=int, help="measure CPU of this process tree")
    parser.add_argument("--changes-dir", help="where the server reports SQLite rows changed")
    parser.add_argument("--sqlite-db", help="the server's SQLite database (rows per table)")
    parser.add_argument("--records", help="write one CSV line per send here")
    args = parser.parse_args()
    import uvloop

    print(json.dumps(uvloop.run(run(args))))


if __name__ == "__main__":
    main()
