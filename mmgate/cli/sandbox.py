"""`mmgate sandbox clock` and `mmgate sandbox recipient`: steer the emulator."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import click

from mmgate.cli.connection import Connection, connection_options

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    """Seconds, or a number with s, m, h or d: `90`, `12h`, `30d`."""
    if value is None:
        return None
    match = _DURATION.match(value)
    if match is None:
        raise click.BadParameter(f"{value!r} is not a duration like 90, 45m, 12h or 30d")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


@click.group()
def sandbox() -> None:
    """Steer the emulator: its clock and its simulated WhatsApp users."""


@sandbox.command(short_help="Show or advance the sandbox clock.")
@click.option("--advance", callback=_duration, help="Move the clock forward, e.g. 90, 12h, 30d.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
@connection_options(sandbox=True)
def clock(advance: float | None, as_json: bool, connection: Connection) -> None:
    """Show the sandbox clock, or move it forward (everything due in between happens first)."""
    with connection.client(needs="sandbox_key") as client:
        answer = client.sandbox_clock(advance_seconds=advance)
    if as_json:
        click.echo(json.dumps({"now": answer.now, "pending_events": answer.pending_events}))
        return
    when = datetime.fromtimestamp(answer.now, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    moved = f"moved {advance:g} s; " if advance is not None else ""
    pending = f"{answer.pending_events} events pending"
    click.echo(f"sandbox clock: {moved}now {when} ({answer.now:.0f}), {pending}")


@sandbox.command(short_help="Show or set a simulated user's behaviour.")
@click.argument("number")
@click.option(
    "--set",
    "behaviour",
    help="Replace the behaviour with this JSON, e.g. '{\"reads\": false}'.",
)
@connection_options(sandbox=True)
def recipient(number: str, behaviour: str | None, connection: Connection) -> None:
    """Show a simulated WhatsApp user's behaviour, or set it with --set JSON.

    Fields: on_whatsapp, online_after_seconds (null = never online), delivery_delay_seconds,
    reads, read_delay_seconds, taps_cta, opted_out_of_marketing, at_marketing_limit, name.
    """
    wanted = None
    if behaviour is not None:
        try:
            wanted = json.loads(behaviour)
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"not JSON: {exc}", param_hint="--set") from None
        if not isinstance(wanted, dict):
            raise click.BadParameter("expected a JSON object", param_hint="--set")
    with connection.client(needs="sandbox_key") as client:
        answer = client.sandbox_recipient(number, wanted)
    click.echo(json.dumps({"number": answer.number, "behaviour": answer.behaviour}))
