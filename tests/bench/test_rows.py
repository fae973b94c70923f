"""The rows the harness builds from measured runs: ratios, baselines, targets and
notes, on fixed inputs (no server)."""

from __future__ import annotations

from typing import Any

import pytest

from bench.benchmarks import end_to_end, open_loop, scale_out
from bench.benchmarks.accept import Samples
from bench.loadresult import LoadResult
from bench.options import parse


def _cost(cpu_ms: float, rows: float, *, pg: bool = False) -> dict[str, Any]:
    name = "PostgreSQL mmgate_bench_1" if pg else "gateway.db"
    return {
        "cpu_ms": cpu_ms,
        "write_rows": rows,
        "rows_by_file": {name: rows},
        "transactions": 2.5 if pg else None,
        "tables": {"jobs": [4.0, 8.0, 1.0]} if pg else {"jobs": [3.0], "messages": [1.0]},
        "counted": True,
        "write_bytes": 2048.0,
        "processes": 1,
    }


def test_cpu_per_message_is_against_bare_asgi_times_four_exchanges() -> None:
    bare = [end_to_end.BareRun(8000.0, 0.1), end_to_end.BareRun(8000.0, 0.1)]
    done = {"accepted": 100, "completed": 100}
    results = [{**done, "cost": _cost(2.0, 24.0)}, {**done, "cost": _cost(2.4, 24.0)}]
    cpu, writes = end_to_end.cost_rows("end-to-end", bare, results)
    assert cpu.metric == "CPU per message" and cpu.value == pytest.approx(2.2)
    assert cpu.baseline == pytest.approx(0.4) and cpu.ratio == pytest.approx(5.5)
    assert "2.0 KB" in cpu.note
    assert (writes.metric, writes.value, writes.ratio) == (
        "durable write items per message",
        24.0,
        None,
    )
    assert "SQLite total_changes" in writes.note and "gateway.db 24.00" in writes.note
    assert "net new rows per msg by table: jobs 3, messages 1" in writes.note


def test_postgres_write_items_name_their_source_and_transactions() -> None:
    bare = [end_to_end.BareRun(8000.0, 0.1)]
    result = {"accepted": 100, "completed": 90, "cost": _cost(3.0, 12.0, pg=True)}
    rows = end_to_end.cost_rows("scale-out", bare, [result], ", 1 process")
    assert [r.metric for r in rows] == [
        "CPU per message, 1 process",
        "durable write items per message, 1 process",
    ]
    assert "pg_stat_database" in rows[1].note and "2.5 transactions/msg" in rows[1].note
    assert "inserted/updated/deleted per msg by table: jobs 4/8/1" in rows[1].note
    assert all("10 never completed: overstated!" in row.note for row in rows)


def test_cost_rows_are_skipped_when_the_server_was_not_measured() -> None:
    result = {"accepted": 1, "completed": 1, "cost": {}}
    rows = end_to_end.cost_rows("end-to-end", [end_to_end.BareRun(1.0, 1.0)], [result])
    assert all(r.skipped == "server not measured" for r in rows)


def test_two_processes_are_divided_by_one_of_the_same_rounds() -> None:
    one, two = Samples(), Samples()
    for rps in (400.0, 500.0):
        one.add(LoadResult("wrk", int(rps * 5), 0, 5.0, 1.0, 2.0))
        two.add(LoadResult("wrk", int(rps * 8), 0, 5.0, 1.0, 2.0))
    campaigns = {1: [{"throughput": 200.0}, {"throughput": 220.0}], 2: [{"throughput": 420.0}]}
    accept, e2e = scale_out.two_vs_one({1: (Samples(), one), 2: (Samples(), two)}, campaigns)
    assert accept.ratio == pytest.approx(1.6)
    assert e2e.metric == "end-to-end msg/s, 2 processes vs 1"
    assert e2e.ratio == pytest.approx(2.0) and "target >= 1.6x" in e2e.note


def _open_loop_result(**changes: Any) -> dict[str, Any]:
    result = {
        "rate": 1000.0,
        "send_rate": 1000.0,
        "accept_rate": 990.0,
        "window_s": 10.0,
        "grace_s": 10.0,
        "accepted": 60000,
        "send_errors": 0,
        "warmup_unfinished": 0,
        "accept_p50_ms": 2.0,
        "accept_p99_ms": 15.0,
        "lag_p50_ms": 100.0,
        "lag_p99_ms": 500.0,
        "lag_p99_first_ms": 400.0,
        "lag_p99_last_ms": 600.0,
        "overdue_first_at_s": 10.0,
        "overdue_first": 0,
        "overdue_end": 0,
        "backlog_grows": False,
        "last_read_after_last_send_s": 3.9,
        "unfinished": 0,
        "out_of_order": 0,
        "duplicates": 3,
        "unexpected_statuses": 0,
        "webhooks": 180003,
        "statuses": 180003,
        "bad_signatures": 0,
        "unreadable_webhooks": 0,
    }
    return {**result, **changes}


def test_open_loop_rows_measure_against_the_issue_targets() -> None:
    rows = {r.metric: r for r in open_loop.rows_for([_open_loop_result()])}
    accept = rows["p99 accept at 1,000 msg/s"]
    assert (accept.baseline, accept.ratio) == (20.0, 0.75)
    assert "accepted at 990 msg/s" in accept.note
    assert rows["p99 accept -> read, beyond the lifecycle"].ratio == 0.5
    assert rows["p99 lag, last 10 s vs first 10 s"].ratio == 1.5
    assert rows["backlog: messages overdue at end of sending"].note.startswith("flat")
    assert rows["messages not finished after end + grace"].value == 0
    assert "3 repeated webhooks" in rows["messages with webhooks out of order"].note


def test_open_loop_says_when_the_backlog_grows_or_the_run_cannot_tell() -> None:
    grew = open_loop.rows_for([_open_loop_result(overdue_end=5000, backlog_grows=True)])
    backlog = next(r for r in grew if r.metric.startswith("backlog"))
    assert backlog.value == 5000 and backlog.note.startswith("GROWS in 1 of 1")
    short = open_loop.rows_for([_open_loop_result(overdue_first=None, backlog_grows=None)])
    backlog = next(r for r in short if r.metric.startswith("backlog"))
    assert backlog.baseline is None and backlog.note.startswith("run too short")


def test_options_read_the_new_knobs_and_quick_skips_the_warm_wiremock_run() -> None:
    options = parse(["--open-rate", "500", "--open-seconds", "20", "--grace", "3"])
    assert (options.open_rate, options.open_seconds, options.grace) == (500.0, 20.0, 3.0)
    assert options.wiremock_warm == 15.0 and "open-loop" in options.only
    quick = parse(["--quick", "--only", "accept,open-loop"])
    assert quick.wiremock_warm == 0.0 and quick.only == ("accept", "open-loop")
    assert parse(["--wiremock-warm", "30"]).wiremock_warm == 30.0


def test_open_loop_does_not_divide_costs_or_lags_it_does_not_have() -> None:
    result = _open_loop_result(
        unfinished=7000, lag_p99_last_ms=None, cost={"cpu_ms": 6.0, "write_rows": 85.0}
    )
    rows = {r.metric: r for r in open_loop.rows_for([result])}
    lag = rows["p99 accept -> read, beyond the lifecycle"]
    assert "n/a while messages are unfinished" in lag.note and "85" not in lag.note
    windows = rows["p99 lag, last 10 s vs first 10 s"]
    assert windows.value is None and windows.ratio is None
    assert "none finished" in windows.note
    assert rows["messages not finished after end + grace"].value == 7000
