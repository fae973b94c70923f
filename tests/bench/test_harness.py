"""Smoke test of the benchmark harness: it runs, and its table has the rows it should,
with positive numbers. It never asserts on speed (these machines are shared)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench import bare_app, wiremock, wrk
from bench.table import Row, render
from bench.workspace import SEND_PATH, send_body

ROOT = Path(__file__).resolve().parents[2]
WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8000/marketing_messages
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.10ms    1.20ms  30.00ms   90.00%
  Latency Distribution
     50%    3.90ms
     75%    4.50ms
     90%    5.20ms
     99%   812.00us
  50000 requests in 5.00s, 12.00MB read
  Non-2xx or 3xx responses: 7
Requests/sec:  10000.00
"""


def test_wrk_output_is_read_with_units() -> None:
    result = wrk.parse(WRK_OUTPUT)
    assert (result.requests, result.errors, result.seconds) == (50000, 7, 5.0)
    assert result.rps == 10000.0
    assert (result.p50_ms, result.p99_ms) == (3.9, 0.812)


def test_table_shows_ratio_absolute_and_skips() -> None:
    table = render(
        [
            Row("accept", "req/s", "req/s", [900.0, 1000.0, 1100.0], [2000.0], "bare ASGI"),
            Row("scale-out", "accept", "", skipped="PostgreSQL backend not available"),
        ]
    )
    assert "0.50x" in table
    assert "1,000 req/s" in table
    assert "±10%" in table
    assert "skipped: PostgreSQL backend not available" in table


def test_wiremock_is_skipped_with_its_reason_without_java(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PATH", str(tmp_path))  # neither java nor npm on it
        assert wiremock.ensure_jar(tmp_path / "cache") == (
            None,
            "java not installed (WireMock needs a JRE)",
        )


def test_wiremock_stub_answers_the_harness_send_with_the_bare_body(tmp_path: Path) -> None:
    root = wiremock.write_root(tmp_path / "root")
    stub = json.loads((root / "mappings" / "send.json").read_text())
    assert stub["request"]["url"] == SEND_PATH
    assert json.loads(stub["request"]["bodyPatterns"][0]["equalToJson"]) == json.loads(send_body())
    assert stub["response"]["body"].encode() == bare_app.BODY
    assert 150 <= len(bare_app.BODY) <= 230  # the ~190-byte send response


QUICK = "accept,end-to-end,open-loop,scheduler"


@dataclass(frozen=True)
class QuickRun:
    table: str
    saved: dict[str, Any]
    load: str

    def row(self, benchmark: str, metric: str) -> dict[str, Any]:
        for row in self.saved["rows"]:
            if (row["benchmark"], row["metric"]) == (benchmark, metric):
                return dict(row)
        raise AssertionError(f"no row {benchmark} | {metric} in:\n{self.table}")


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> QuickRun:
    """One `bench/run --quick` over the benchmarks these tests read (~1 min)."""
    results = tmp_path_factory.mktemp("bench")
    # Use wrk when the machine has it; the harness itself installs it, the test does not.
    load = "wrk" if shutil.which("wrk") else "python"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "bench", "--quick", "--only", QUICK),
            *("--load", load, "--results", str(results)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    saved = json.loads((results / "latest" / "results.json").read_text())
    return QuickRun(done.stdout, saved, load)


def test_quick_run_prints_every_expected_row(quick: QuickRun) -> None:
    for metric in ("req/s", "p50 latency", "p99 latency", "req/s, dispatch paused"):
        ratio, absolute = _cells(quick.table, "accept", metric)
        assert ratio > 0 and absolute > 0, (metric, quick.table)
    for metric in ("advance over 20,000 events", "schedule 20,000 events"):
        ratio, absolute = _cells(quick.table, "scheduler", metric)
        assert ratio > 0 and absolute > 0, (metric, quick.table)
    for metric in ("msg/s, accept -> read webhook", "CPU per message"):
        ratio, absolute = _cells(quick.table, "end-to-end", metric)
        assert ratio > 0 and absolute > 0, (metric, quick.table)
    assert quick.saved["load"] == quick.load
    counts = ("msgs", "hooks")  # the open loop's counts may be 0
    measured = [r for r in quick.saved["rows"] if r["skipped"] is None]
    assert all(r["value"] > 0 for r in measured if r["unit"] not in counts), quick.table


def test_wiremock_peer_is_measured_or_skipped_with_the_reason(quick: QuickRun) -> None:
    peer = [
        quick.row("accept", metric) for metric in ("req/s vs WireMock cold", "WireMock cold req/s")
    ]
    for row in peer:  # measured where java and npm are, else skipped with the reason
        if shutil.which("java") and shutil.which("npm"):
            assert row["skipped"] is None and row["ratio"] > 0, (row, quick.table)
            assert "errors" not in row["note"], row  # the stub matched every request
        else:
            assert row["skipped"] and ("java" in row["skipped"] or "npm" in row["skipped"])


def test_durable_write_items_are_counted_per_message(quick: QuickRun) -> None:
    row = quick.row("end-to-end", "durable write items per message")
    assert row["skipped"] is None, row
    assert row["value"] >= 2  # at least the message and its outbox job
    assert "gateway.db" in row["note"]


def test_open_loop_every_message_finished_in_order_and_signed(quick: QuickRun) -> None:
    """At the quick run's 200 msg/s for 3 s every accepted message must get sent,
    delivered and read in order, signed, within the grace period."""
    assert quick.row("open-loop", "p99 accept at 200 msg/s")["value"] > 0
    assert quick.row("open-loop", "p99 accept -> read, beyond the lifecycle")["skipped"] is None
    for metric in (
        "messages not finished after end + grace",
        "messages with webhooks out of order",
        "webhooks unsigned or badly signed",
    ):
        row = quick.row("open-loop", metric)
        assert row["value"] == 0, (metric, quick.table)
    note = quick.row("open-loop", "webhooks unsigned or badly signed")["note"]
    received = re.search(r"carrying ([\d,]+) statuses", note)
    assert received and int(received.group(1).replace(",", "")) >= 1800  # 600 msgs x 3


def _cells(table: str, benchmark: str, metric: str) -> tuple[float, float]:
    """(ratio, absolute) of the row named `benchmark | metric`."""
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[:2] == [benchmark, metric]:
            ratio = float(cells[2].rstrip("x"))
            absolute = float(re.sub(r"[^\d.]", "", cells[3].split()[0]))
            return ratio, absolute
    raise AssertionError(f"no row {benchmark} | {metric} in:\n{table}")
