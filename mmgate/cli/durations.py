"""Durations on the command line: `90`, `45m`, `12h`, `30d`, wherever seconds are asked."""

from __future__ import annotations

import re

import click

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_NAMES = [(86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")]


def parse(value: str) -> float:
    match = _DURATION.match(value)
    if match is None:
        raise click.BadParameter(f"{value!r} is not a duration like 90, 45m, 12h or 30d")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def seconds_option(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    """A click callback: the value in seconds."""
    return None if value is None else parse(value)


def whole_seconds_option(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> int | None:
    """A click callback: the value in whole seconds, at least 1."""
    if value is None:
        return None
    seconds = parse(value)
    if seconds < 1 or seconds != int(seconds):
        raise click.BadParameter(f"{value!r} is not a whole number of seconds (at least 1)")
    return int(seconds)


def plural(count: int | float, noun: str) -> str:
    return f"{count:g} {noun}" + ("" if count == 1 else "s")


def spoken(seconds: float) -> str:
    """`2592000` -> `30 days`, `5400` -> `1.5 hours`, `90` -> `1.5 minutes`."""
    for size, name in _NAMES:
        if seconds >= size:
            return plural(round(seconds / size, 2), name)
    return plural(round(seconds, 3), "second")
