"""`mmgate hub …`: Partner Hub administration from the command line.

Registered in the main CLI as a command group; also runnable on its own as
`python -m mmgate.cli.hub`.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import click

from mmgate.cli.options import data_dir_option
from mmgate.settings import Settings
from mmgate.storage.factory import create_store
from mmgate.ui.accounts import AccountError, as_hub_store, save_user


@click.group()
def hub() -> None:
    """Partner Hub accounts."""


@hub.command("add-user")
@data_dir_option()
@click.option("--partner-id", required=True, help="The partner the user signs in for.")
@click.option("--email", required=True)
@click.option(
    "--password",
    envvar="MMGATE_HUB_PASSWORD",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when not given (or MMGATE_HUB_PASSWORD).",
)
def add_user(data_dir: Path, partner_id: str, email: str, password: str) -> None:
    """Create a Hub user, or set a new password for one (ending its sessions)."""
    settings = Settings.from_env(data_dir=data_dir)
    try:
        asyncio.run(_add_user(settings, partner_id, email, password))
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Hub user {email} saved for partner {partner_id}: sign in at /hub/login")


async def _add_user(settings: Settings, partner_id: str, email: str, password: str) -> None:
    store = create_store(settings.database_url or settings.sqlite_path)  # PostgreSQL too
    hub = as_hub_store(store)
    if hub is None:
        raise AccountError("this storage backend has no Partner Hub tables yet")
    await store.start()
    try:
        # Wall time, not the sandbox clock: this process has none, and creation time is a record.
        await save_user(hub, partner_id, email, password, time.time())
    finally:
        await store.close()


if __name__ == "__main__":
    hub()
