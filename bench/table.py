"""The result table: every figure is a ratio against a baseline from the same run."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


def median(samples: Sequence[float]) -> float:
    return float(statistics.median(samples))


def spread(samples: Sequence[float]) -> float:
    """Half the min-max range as a share of the median: the run-to-run noise."""
    if len(samples) < 2:
        return 0.0
    middle = median(samples)
    return (max(samples) - min(samples)) / 2 / middle if middle else 0.0


@dataclass(frozen=True)
class Row:
    """One line of the table. `value` and `baseline` are medians of their samples."""

    benchmark: str
    metric: str
    unit: str
    samples: list[float] = field(default_factory=list)
    baseline_samples: list[float] = field(default_factory=list)
    baseline_name: str = ""
    note: str = ""
    skipped: str | None = None

    @property
    def value(self) -> float | None:
        return median(self.samples) if self.samples else None

    @property
    def baseline(self) -> float | None:
        return median(self.baseline_samples) if self.baseline_samples else None

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(value=self.value, baseline=self.baseline, ratio=self.ratio)
        return data


def skipped(benchmark: str, metric: str, reason: str) -> Row:
    return Row(benchmark, metric, "", skipped=reason)


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    magnitude = abs(value)
    text = f"{value:,.0f}" if magnitude >= 100 else f"{value:.3g}"
    return f"{text} {unit}".strip()


def _noise(samples: list[float]) -> str:
    return f"±{spread(samples) * 100:.0f}%" if len(samples) > 1 else ""


def render(rows: Sequence[Row]) -> str:
    header = ("benchmark", "metric", "ratio", "absolute", "noise", "baseline", "note")
    lines: list[tuple[str, ...]] = [header]
    for row in rows:
        if row.skipped is not None:
            lines.append((row.benchmark, row.metric, "—", "—", "", "", f"skipped: {row.skipped}"))
            continue
        ratio = "—" if row.ratio is None else f"{row.ratio:.2f}x"
        baseline = ""
        if row.baseline is not None:
            baseline = f"{_number(row.baseline, row.unit)} {row.baseline_name}".strip()
        lines.append(
            (
                row.benchmark,
                row.metric,
                ratio,
                _number(row.value, row.unit),
                _noise(row.samples),
                baseline,
                row.note,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        out.append(
            "| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) + " |"
        )
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)
