"""Options every command that touches the workspace shares."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_DATA_DIR = Path(".mmgate")


def data_dir_option(help_text: str | None = None) -> Callable[[F], F]:
    """`--data-dir` (or `MMGATE_DATA_DIR`): where `mmgate serve` keeps its workspace."""
    return click.option(
        "--data-dir",
        envvar="MMGATE_DATA_DIR",
        type=click.Path(file_okay=False, path_type=Path),
        default=DEFAULT_DATA_DIR,
        show_default=True,
        help=help_text,
    )
