"""The open-loop run's verdicts on hand-made records: lags, lost and out-of-order
messages, repeats, and a backlog that grows."""

from __future__ import annotations

import json
import time

import pytest

from bench.benchmarks.end_to_end import check_note
from bench.lifecycle_check import Hooks, Send, analyse, check, out_of_order, overdue
from bench.receiver import Receiver
from mmgate.signing import sign_delivery

LIFECYCLE = 3.5


def _finished(hooks: Hooks, wamid: str, answered: float, lag: float) -> None:
    hooks.add(wamid, "sent", answered + 0.01)
    hooks.add(wamid, "delivered", answered + 1.5)
    hooks.add(wamid, "read", answered + LIFECYCLE + lag)


def test_lag_is_read_arrival_minus_accept_minus_the_lifecycle() -> None:
    hooks = Hooks()
    sends = [Send(due=i / 10, answered=i / 10 + 0.002, wamid=f"w{i}") for i in range(100)]
    for i, send in enumerate(sends):
        assert send.answered is not None
        _finished(hooks, f"w{i}", send.answered, lag=0.2 if i < 99 else 0.9)
    result = analyse(sends, hooks, LIFECYCLE, window=3.0)
    assert round(result["accept_p99_ms"], 6) == 2.0
    assert round(result["lag_p50_ms"]) == 200
    assert round(result["lag_p99_ms"]) == 900  # the slowest of 100 is the 99th percentile
    assert (result["finished"], result["unfinished"], result["out_of_order"]) == (100, 0, 0)
    assert result["backlog_grows"] is False
    assert result["send_rate"] == 100 / 9.9
    assert result["accept_rate"] == pytest.approx(100 / 9.902)


def test_a_missing_status_is_unfinished_and_a_late_earlier_status_is_out_of_order() -> None:
    hooks = Hooks()
    sends = [Send(0.0, 0.01, "lost"), Send(0.1, 0.11, "swapped"), Send(0.2, None, None)]
    hooks.add("lost", "sent", 0.1)
    hooks.add("lost", "read", 4.0)  # delivered never came
    hooks.add("swapped", "sent", 0.2)
    hooks.add("swapped", "read", 3.7)
    hooks.add("swapped", "delivered", 3.8)
    hooks.add("swapped", "read", 3.9)  # a repeat: at least once
    result = analyse(sends, hooks, LIFECYCLE, window=1.0)
    assert result["send_errors"] == 1
    assert result["unfinished"] == 1
    assert result["out_of_order"] == 1
    assert result["duplicates"] == 1
    assert result["finished"] == 1


def test_a_repeated_status_is_in_order_but_an_earlier_one_after_a_later_is_not() -> None:
    assert not out_of_order([("sent", 0), ("sent", 1), ("delivered", 2), ("read", 3), ("read", 4)])
    assert out_of_order([("sent", 0), ("delivered", 1), ("sent", 2)])
    assert not out_of_order([("sent", 0), ("failed", 1)])  # other statuses are not ranked


def test_overdue_counts_messages_past_lifecycle_plus_a_second_without_read() -> None:
    done = [(0.0, 3.6), (0.0, None), (0.0, 9.0), (2.0, None)]
    # At t=5: the three accepted at 0 are due by 4.5; one has its read, one has none, one
    # gets it only at 9. The one accepted at 2 is not overdue before 6.5.
    assert overdue(done, 5.0, LIFECYCLE) == 2
    assert overdue(done, 10.0, LIFECYCLE) == 2  # the one at 2 is overdue now, 0/9.0 done


def test_a_backlog_that_grows_is_told_apart_from_a_steady_lag() -> None:
    def run(lag_of: float) -> dict[str, object]:
        hooks = Hooks()
        sends = [Send(i / 100, i / 100, f"w{i}") for i in range(3000)]  # 30 s at 100/s
        for i, send in enumerate(sends):
            assert send.answered is not None
            _finished(hooks, f"w{i}", send.answered, lag=2.0 + lag_of * send.due)
        return analyse(sends, hooks, LIFECYCLE, window=10.0)

    steady, growing = run(0.0), run(0.5)
    assert steady["backlog_grows"] is False  # 2 s late all along: over target, not growing
    assert steady["overdue_first"] == steady["overdue_end"]
    assert growing["backlog_grows"] is True
    assert growing["overdue_end"] > growing["overdue_first"]


def test_a_run_too_short_cannot_tell_growth() -> None:
    sends = [Send(i / 100, i / 100, None) for i in range(300)]  # 3 s
    result = analyse(sends, Hooks(), LIFECYCLE, window=1.0)
    assert result["backlog_grows"] is None and result["overdue_first"] is None


def test_the_receiver_checks_signatures_and_records_every_status() -> None:
    receiver = Receiver("secret")
    body = json.dumps(
        {"entry": [{"changes": [{"value": {"statuses": [{"id": "w1", "status": "sent"}]}}]}]}
    ).encode()
    stamp = int(time.time())
    signed = b"POST /hook HTTP/1.1\r\nX-Mmgate-Timestamp: %d\r\nX-Mmgate-Signature-256: %s" % (
        stamp,
        sign_delivery("secret", stamp, body).encode(),
    )
    receiver.on_request(signed, body)
    receiver.on_request(b"POST /hook HTTP/1.1\r\nX-Mmgate-Timestamp: %d" % stamp, body)
    forged = b"POST /hook HTTP/1.1\r\nX-Mmgate-Timestamp: %d\r\nX-Mmgate-Signature-256: %s" % (
        stamp,
        sign_delivery("wrong", stamp, body).encode(),
    )
    receiver.on_request(forged, body)
    receiver.on_request(signed, b"not json")
    hooks = receiver.hooks
    # unsigned, forged, and a body the signature was not made over
    assert (hooks.webhooks, hooks.bad_signatures, hooks.unreadable) == (4, 3, 1)
    assert [status for status, _ in hooks.arrivals["w1"]] == ["sent"] * 3
    assert check(["w1"], hooks)["unfinished"] == 1


def test_the_end_to_end_note_names_what_went_wrong() -> None:
    clean = {"unfinished": 0, "out_of_order": 0, "bad_signatures": 0, "unreadable_webhooks": 0}
    assert check_note([clean]) == "every message sent/delivered/read in order, signed"
    assert check_note([clean, {**clean, "out_of_order": 2, "bad_signatures": 1}]) == (
        "2 out of order, 1 webhooks badly signed!"
    )
    assert check_note([{}]) == "not checked"
