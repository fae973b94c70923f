"""memory: RSS of the server process over a campaign to N distinct recipients, on the
frozen sandbox clock so "pending" and "finished" are separate moments:

1. a small warm-up campaign runs to the end; RSS then is the idle baseline;
2. campaign A is sent and dispatched: the emulator holds 3 pending events per
   recipient (sent, delivered, read) -> RSS with N pending;
3. the clock jumps 10 s, every lifecycle finishes -> RSS after N finished;
4. campaign B does the same again -> RSS after 2N finished.
Flat in finished recipients means step 4 ends where step 3 ended (ratio ~1.00):
Python rarely gives freed memory back to the OS, but it reuses it.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from bench import procs, servers
from bench.context import Context
from bench.cores import pinned
from bench.table import Row
from bench.workspace import SANDBOX_HEADERS, SEND_HEADERS

EVENTS_PER_RECIPIENT = 3  # sent, delivered, read
POLL_SECONDS = 0.5
MB = 1024 * 1024


@dataclass(frozen=True)
class Campaign:
    ctx: Context
    server: servers.Server
    http: httpx.Client

    def rss(self) -> int:
        return procs.rss_bytes(self.server.process.pid)

    def pending_events(self) -> int:
        answer = self.http.get("/sandbox/clock", headers=SANDBOX_HEADERS)
        answer.raise_for_status()
        pending: int = answer.json()["pending_events"]
        return pending

    def send(self, count: int) -> dict[str, Any]:
        command = [sys.executable, "-m", "bench.campaign_client"]
        command += ["--base-url", self.server.base_url, "--count", str(count)]
        done = subprocess.run(
            pinned(command, self.ctx.cores.load),
            capture_output=True,
            text=True,
            timeout=count / 20 + 120,  # even at 20 msg/s it ends
            check=True,
        )
        result: dict[str, Any] = json.loads(done.stdout)
        return result

    def wait(self, done: Any, what: str, limit_seconds: float) -> None:
        deadline = time.monotonic() + limit_seconds
        while not done():
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out after {limit_seconds:.0f} s waiting for {what}")
            time.sleep(POLL_SECONDS)

    def all_read(self, wamids: list[str]) -> bool:
        for wamid in wamids:
            answer = self.http.get(f"/v1/messages/{wamid}", headers=SEND_HEADERS)
            if answer.status_code != 200 or answer.json().get("status") != "read":
                return False
        return True

    @contextlib.contextmanager
    def peak_rss(self, peaks: list[int]) -> Iterator[None]:
        """Sample RSS every 0.2 s while the block runs; append the peak to `peaks`."""
        stop = threading.Event()
        seen = [self.rss()]

        def sample() -> None:
            while not stop.wait(0.2):
                seen.append(self.rss())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            yield
        finally:
            stop.set()
            sampler.join()
            peaks.append(max(seen))

    def run_campaign(self, count: int, peaks: list[int] | None = None) -> tuple[int, int]:
        """RSS with `count` recipients pending, then after they all finished; the peak
        while they finish goes to `peaks`."""
        sent = self.send(count)
        if sent["accepted"] != count:
            raise RuntimeError(f"only {sent['accepted']} of {count} sends accepted")
        expected = count * EVENTS_PER_RECIPIENT
        limit = count / 50 + 120
        self.wait(lambda: self.pending_events() >= expected, "the dispatch", limit)
        pending_rss = self.rss()
        wamids = sent["sample_wamids"]
        with self.peak_rss([] if peaks is None else peaks):
            self.http.post(
                "/sandbox/clock", json={"advance_seconds": 10}, headers=SANDBOX_HEADERS
            ).raise_for_status()
            self.wait(lambda: self.pending_events() == 0, "the events to fire", limit)
            self.wait(lambda: self.all_read(wamids), "the read statuses", limit)
            time.sleep(1.0)  # let the last webhooks' work finish
        return pending_rss, self.rss()


def run(ctx: Context) -> list[Row]:
    n = ctx.options.campaign
    data = ctx.fresh_dir("memory")
    with (
        servers.mmgate(data, ctx.cores.server, ctx.log_file(data.name)) as server,
        httpx.Client(base_url=server.base_url, timeout=30.0) as http,
    ):
        campaign = Campaign(ctx, server, http)
        ctx.log("warm-up campaign")
        campaign.run_campaign(min(n, 1000))
        idle = campaign.rss()
        ctx.log(f"campaign A: {n:,} recipients (idle RSS {idle / MB:.0f} MB)")
        peaks: list[int] = []
        pending_a, finished_a = campaign.run_campaign(n, peaks)
        ctx.log(f"campaign B: {n:,} recipients (RSS {finished_a / MB:.0f} MB)")
        _, finished_b = campaign.run_campaign(n)
    per_pending = (pending_a - idle) / n
    retained = (finished_a - idle) / n
    growth = (finished_b - finished_a) / n
    label = f"{n:,}"
    return [
        Row(
            "memory",
            f"RSS, {label} pending",
            "MB",
            [pending_a / MB],
            [idle / MB],
            "idle RSS",
            f"{per_pending:,.0f} B per pending recipient",
        ),
        Row(
            "memory",
            f"peak RSS while {label} finish",
            "MB",
            [peaks[0] / MB],
            [idle / MB],
            "idle RSS",
            "the jump fires due events only while < 2,000 webhooks are queued",
        ),
        Row(
            "memory",
            f"RSS, {label} finished",
            "MB",
            [finished_a / MB],
            [idle / MB],
            "idle RSS",
            f"{retained:,.0f} B retained per finished recipient",
        ),
        Row(
            "memory",
            f"RSS, 2x{label} finished",
            "MB",
            [finished_b / MB],
            [finished_a / MB],
            f"after {label}",
            f"{growth:,.0f} B growth per finished recipient (flat: ~0)",
        ),
    ]
