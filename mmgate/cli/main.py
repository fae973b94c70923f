"""The `mmgate` command: every subcommand, and one clear line on error, never a traceback."""

from __future__ import annotations

import importlib
from typing import Any

import click

# name -> (module, attribute), in the order --help lists them: the common path first.
# Imported only when run, so `mmgate --version` or `mmgate workspace` does not load
# the server, the SDK's HTTP client and every other command (0.5 s before).
COMMANDS = {
    "serve": ("mmgate.cli.serve", "serve"),
    "emulator": ("mmgate.cli.emulator", "emulator"),
    "workspace": ("mmgate.cli.serve", "workspace"),
    "send": ("mmgate.cli.send", "send"),
    "campaign": ("mmgate.cli.campaign.command", "campaign"),
    "message": ("mmgate.cli.send", "message"),
    "webhooks": ("mmgate.cli.webhooks", "webhooks"),
    "sandbox": ("mmgate.cli.sandbox", "sandbox"),
    "db": ("mmgate.cli.db", "db"),
    "hub": ("mmgate.cli.hub", "hub"),
}


class MmgateGroup(click.Group):
    """Turns the SDK's errors and I/O errors into click's one-line `Error: …`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as exc:
            raise click.ClickException(_os_error(exc)) from None
        except Exception as exc:
            from mmgate.sdk import MmgateError  # loaded by every command that can raise it

            if isinstance(exc, MmgateError):
                raise click.ClickException(str(exc)) from None
            raise

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name]
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List subcommands of groups too (`webhooks tail`), so --help shows everything."""
        rows = []
        for name in COMMANDS:
            command = self.get_command(ctx, name)
            assert command is not None
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


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
