"""`mmgate sandbox clock` and `mmgate sandbox recipient`: steer the emulator."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from mmgate.cli.connection import Connection, connection_options
from mmgate.cli.durations import plural, seconds_option, spoken


@click.group()
def sandbox() -> None:
    """Steer the emulator: its clock and its simulated WhatsApp users."""


@sandbox.command(short_help="Show or advance the sandbox clock.")
@click.option(
    "--advance", callback=seconds_option, help="Move the clock forward, e.g. 90, 12h, 30d."
)
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
    moved = f"moved {spoken(advance)} ({advance:.0f} s); " if advance is not None else ""
    pending = f"{plural(answer.pending_events or 0, 'event')} pending"
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
