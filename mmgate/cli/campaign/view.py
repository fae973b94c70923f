"""What a person watches during a campaign: a progress bar, then the funnel filling in.

Both go to stderr, so stdout carries only the final table (or `--json`) for pipes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.live import Live
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text


def status_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text(f"{speed:5.0f}/s" if speed else "    -/s", style="progress.data.speed")


class ProgressTracker:
    """The runner's `Tracker`: one tick per row answered."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress = progress
        self._task = task
        self._refused = 0

    def row_done(self, accepted: bool) -> None:
        if not accepted:
            self._refused += 1
        self._progress.update(self._task, advance=1, refused=self._refused)


@contextmanager
def sending_progress(total: int, already_done: int) -> Iterator[ProgressTracker]:
    progress = Progress(
        TextColumn("[bold]sending"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TextColumn("{task.fields[refused]} refused"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=status_console(),
    )
    with progress:
        task = progress.add_task("sending", total=total, completed=already_done, refused=0)
        yield ProgressTracker(progress, task)


@contextmanager
def live_funnel(first: Table) -> Iterator[Live]:
    with Live(first, console=status_console(), transient=True, auto_refresh=False) as live:
        yield live
