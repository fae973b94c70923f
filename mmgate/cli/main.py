"""The `mmgate` command: every subcommand, and one clear line on error, never a traceback."""

from __future__ import annotations

from typing import Any

import click

from mmgate.cli.campaign.command import campaign
from mmgate.cli.db import db
from mmgate.cli.emulator import emulator
from mmgate.cli.hub import hub
from mmgate.cli.sandbox import sandbox
from mmgate.cli.send import message, send
from mmgate.cli.serve import serve, workspace
from mmgate.cli.webhooks import webhooks
from mmgate.sdk import MmgateError


class MmgateGroup(click.Group):
    """Turns the SDK's errors and I/O errors into click's one-line `Error: …`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MmgateError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(_os_error(exc)) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # in the order below: the common path first

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List subcommands of groups too (`webhooks tail`), so --help shows everything."""
        rows = []
        for name, command in self.commands.items():
            if isinstance(command, click.Group):
                for sub_name, sub in command.commands.items():
                    rows.append((f"{name} {sub_name}", sub.get_short_help_str(limit=60)))
            else:
                rows.append((name, command.get_short_help_str(limit=60)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _os_error(exc: OSError) -> str:
    where = f": {exc.filename}" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


@click.group(cls=MmgateGroup)
@click.version_option(package_name="mmgate")
def cli() -> None:
    """mmgate: a WhatsApp Marketing Messages gateway with an offline Meta emulator.

    Commands that talk to a server read its URL and keys from the workspace that
    `mmgate serve` writes (--data-dir, default .mmgate); flags and MMGATE_* variables
    override them, so they work against any 360dialog-compatible host too.
    """


for command in (serve, emulator, workspace, send, campaign, message, webhooks, sandbox, db, hub):
    cli.add_command(command)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
