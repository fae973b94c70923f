"""What the open-loop run concludes from what it recorded: accept latencies, the lag
from accept to the `read` webhook beyond the emulated lifecycle, whether that lag
grew during the run, and whether every message got `sent`, `delivered` and `read`
relayed, in that order, signed. Pure functions over the records, so they are tested
on their own (tests/bench/test_lifecycle_check.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bench.loadresult import percentile

ORDER = ("sent", "delivered", "read")
RANK = {status: n for n, status in enumerate(ORDER)}
# A message is overdue when its `read` has not arrived this long past the emulated
# lifecycle (the issue allows 1 s).
OVERDUE_AFTER_S = 1.0
# The backlog "grows" when more messages are overdue at the end of sending than after
# the first window, by more than a quarter second's worth of sends.
GROWTH_TOLERANCE_S = 0.25


@dataclass
class Send:
    due: float  # when the open loop scheduled it (latency counts from here)
    answered: float | None = None  # when the 200 (or error) came back
    wamid: str | None = None  # None: refused or failed


@dataclass
class Hooks:
    """Every status webhook the receiver got, per wamid, in arrival order."""

    arrivals: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    delivered: dict[str, float] = field(default_factory=dict)  # wamid -> first `delivered`
    read: dict[str, float] = field(default_factory=dict)  # wamid -> first `read`
    webhooks: int = 0  # requests (one may carry several statuses)
    statuses: int = 0
    bad_signatures: int = 0
    unreadable: int = 0

    def add(self, wamid: str, status: str, at: float) -> None:
        self.statuses += 1
        self.arrivals.setdefault(wamid, []).append((status, at))
        if status == "delivered":
            self.delivered.setdefault(wamid, at)
        elif status == "read":
            self.read.setdefault(wamid, at)


def out_of_order(arrivals: list[tuple[str, float]]) -> bool:
    """True when a status arrives after a later one of the same message had arrived
    (a repeat of the same status, at least once delivery, is not out of order)."""
    highest = -1
    for status, _ in arrivals:
        rank = RANK.get(status)
        if rank is None:
            continue
        if rank < highest:
            return True
        highest = max(highest, rank)
    return False


def first_arrivals(arrivals: list[tuple[str, float]]) -> dict[str, float]:
    firsts: dict[str, float] = {}
    for status, at in arrivals:
        firsts.setdefault(status, at)
    return firsts


def overdue(done: list[tuple[float, float | None]], at: float, lifecycle: float) -> int:
    """Messages accepted so long before `at` that their `read` is overdue there, and
    still without it. `done`: (accept answer, first `read` arrival or None)."""
    limit = at - lifecycle - OVERDUE_AFTER_S
    return sum(1 for answered, read in done if answered < limit and (read is None or read > at))


def check(wamids: Iterable[str], hooks: Hooks) -> dict[str, int]:
    """Did each message get `sent`, `delivered` and `read`, in that order, signed?"""
    unfinished = disordered = duplicates = unexpected = 0
    for wamid in wamids:
        arrivals = hooks.arrivals.get(wamid, [])
        firsts = first_arrivals(arrivals)
        duplicates += len(arrivals) - len(firsts)
        unexpected += sum(1 for status in firsts if status not in RANK)
        disordered += out_of_order(arrivals)
        unfinished += not all(status in firsts for status in ORDER)
    return {
        "unfinished": unfinished,
        "out_of_order": disordered,
        "duplicates": duplicates,
        "unexpected_statuses": unexpected,
        "bad_signatures": hooks.bad_signatures,
        "unreadable_webhooks": hooks.unreadable,
    }


def _p(values: list[float], share: float) -> float:
    return percentile(sorted(values), share)


def analyse(sends: list[Send], hooks: Hooks, lifecycle: float, window: float) -> dict[str, Any]:
    """The open-loop run's figures. `window`: seconds of sends at the start and at
    the end of the run that are compared (lag of their messages; messages overdue
    after the first window and at the end of sending)."""
    first_due = min((s.due for s in sends), default=0.0)
    last_due = max((s.due for s in sends), default=0.0)
    rate = len(sends) / (last_due - first_due) if last_due > first_due else 0.0
    latencies: list[float] = []
    lags: list[tuple[float, float]] = []  # (due, lag beyond the lifecycle in s)
    done: list[tuple[float, float | None]] = []  # (accept answer, first `read`)
    wamids = []
    for send in sends:
        if send.wamid is None or send.answered is None:
            continue
        wamids.append(send.wamid)
        latencies.append((send.answered - send.due) * 1000)
        firsts = first_arrivals(hooks.arrivals.get(send.wamid, []))
        done.append((send.answered, firsts.get("read")))
        if all(status in firsts for status in ORDER):
            lags.append((send.due, firsts["read"] - send.answered - lifecycle))
    all_lags = [lag for _, lag in lags]
    early = [lag for due, lag in lags if due < first_due + window]
    late = [lag for due, lag in lags if due >= last_due - window]
    # The first look: after the first window, and not before a second of sends can
    # be overdue at all; a run too short for that cannot tell growth (None).
    first_look = first_due + max(window, lifecycle + OVERDUE_AFTER_S + 1.0)
    overdue_first = overdue(done, first_look, lifecycle) if first_look < last_due else None
    overdue_end = overdue(done, last_due, lifecycle)
    grows = (
        None if overdue_first is None else overdue_end - overdue_first > GROWTH_TOLERANCE_S * rate
    )
    reads = [read for _, read in done if read is not None]
    last_answer = max((answered for answered, _ in done), default=first_due)
    return {
        "sent": len(sends),
        "accepted": len(done),
        "send_errors": len(sends) - len(done),
        "send_rate": rate,
        # Below send_rate when answers fell behind the schedule (64 connections).
        "accept_rate": len(done) / (last_answer - first_due) if last_answer > first_due else 0.0,
        "accept_p50_ms": _p(latencies, 0.50),
        "accept_p99_ms": _p(latencies, 0.99),
        "lag_p50_ms": _p(all_lags, 0.50) * 1000,
        "lag_p99_ms": _p(all_lags, 0.99) * 1000,
        # None: no message of that window finished (its lag is unknown, not 0).
        "lag_p99_first_ms": _p(early, 0.99) * 1000 if early else None,
        "lag_p99_last_ms": _p(late, 0.99) * 1000 if late else None,
        "window_s": window,
        "overdue_first_at_s": first_look - first_due,
        "overdue_first": overdue_first,
        "overdue_end": overdue_end,
        "backlog_grows": grows,
        "last_read_after_last_send_s": max(reads) - last_due if reads else None,
        "finished": len(lags),
        "webhooks": hooks.webhooks,
        "statuses": hooks.statuses,
        **check(wamids, hooks),
    }
