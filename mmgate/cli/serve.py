"""`mmgate serve` and `mmgate workspace`: run the server, and show its credentials."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click
import msgspec

from mmgate.cli.options import data_dir_option
from mmgate.settings import Settings
from mmgate.workspace import provision, spec


def print_workspace(data: dict[str, Any]) -> None:
    base = data["base_url"]
    click.echo(
        "\nmmgate is ready (sandbox: gateway + emulator + workers)\n"
        f"  Messaging API   {base}/marketing_messages  and  {base}/messages\n"
        f"  channel API key {data['channel_api_key']}   (header D360-API-KEY)\n"
        f"  phone number id {data['phone_number_id']}   WABA id {data['waba_id']}\n"
        f"  partner         {data['partner_id']}   key {data['partner_api_key']}\n"
        f"  Graph API       {data['graph_base_url']}   token {data['graph_token']}\n"
        f"  sandbox         {base}/sandbox/clock   key {data['sandbox_key']}\n"
        + "".join(
            f"  Partner Hub     {base}/hub/   {u['email']} / {u['password']}\n"
            for u in data.get("hub_users", [])
        )
        + "  all of it as JSON: mmgate workspace --json\n"
    )


@click.command(short_help="Run gateway, emulator and workers in one process.")
@click.option("--host", envvar="MMGATE_HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="MMGATE_PORT", type=int, default=8360, show_default=True)
@data_dir_option("Database and credentials.")
@click.option(
    "--seed",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Load a declarative workspace (TOML) instead of the demo one.",
)
@click.option(
    "--clock",
    type=click.Choice(["system", "sandbox", "frozen"]),
    default=None,
    help="sandbox (default): wall time the sandbox can advance; frozen: only moves when advanced.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes serving the API and running workers (needs MMGATE_DATABASE_URL).",
)
def serve(
    host: str, port: int, data_dir: Path, seed: Path | None, clock: str | None, workers: int
) -> None:
    """Start the gateway, the emulator and the workers in one process (or several)."""
    import asyncio

    import uvicorn

    from mmgate.app import build_app

    try:
        workspace = spec.load(seed) if seed else None
    except (OSError, ValueError, msgspec.ValidationError) as exc:
        raise click.ClickException(f"cannot load seed {seed}: {exc}") from None
    settings = Settings.from_env(
        host=host, port=port, data_dir=data_dir, clock=clock, api_processes=workers
    )
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "access_log": False,
        "loop": "uvloop" if sys.platform != "win32" else "asyncio",
        "http": "httptools",
    }
    if workers == 1:
        uvicorn.run(build_app(settings, seed=workspace, on_ready=print_workspace), **options)
        return
    if not settings.database_url:
        raise click.ClickException(
            "--workers needs PostgreSQL (MMGATE_DATABASE_URL): SQLite keeps one writer per file"
        )
    # Provision once here, so the processes never race to create a workspace.
    asyncio.run(build_app(settings, seed=workspace, on_ready=print_workspace).prepare())
    os.environ.update(
        {
            "MMGATE_HOST": host,
            "MMGATE_PORT": str(port),
            "MMGATE_DATA_DIR": str(data_dir),
            "MMGATE_API_PROCESSES": str(workers),
            **({"MMGATE_CLOCK": clock} if clock else {}),
        }
    )
    uvicorn.run("mmgate.app:app_from_env", factory=True, workers=workers, **options)


@click.command(short_help="Print the workspace's URLs and keys.")
@data_dir_option()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object for scripts.")
def workspace(data_dir: Path, as_json: bool) -> None:
    """Print the workspace's URLs and credentials."""
    data = provision.read_credentials(data_dir)
    if data is None:
        raise click.ClickException(f"no workspace in {data_dir}: run `mmgate serve` first")
    if as_json:
        click.echo(json.dumps(data))
    else:
        print_workspace(data)
