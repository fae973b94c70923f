"""What the writer of each backend has done: commits and write items, for /metrics and
the benchmarks' "durable writes per message" (counted where they happen, not guessed)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class WriterStats:
    batches: int = 0  # transactions committed (one fsync each on SQLite with FULL)
    items: int = 0  # write items in them (an accept, a claim, a batch of outcomes, ...)
    rows: int = 0  # rows inserted, updated or deleted (SQLite counts them; PostgreSQL: 0)
    one_by_one: int = 0  # batches written again item by item after a failure
