"""`mmgate emulator`: the emulated Meta on its own port, with its own world and clock."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import msgspec

from mmgate.workspace import spec

DEFAULT_DATA_DIR = Path(".mmgate-emulator")


def print_emulator(data: dict[str, Any]) -> None:
    base = data["base_url"]
    click.echo(
        "\nmmgate emulator is ready (Meta's Graph API and WhatsApp users, no gateway)\n"
        f"  Graph API base URL  {data['graph_base_url']}   (also {base}/vNN.0/...)\n"
        f"  access token        {data['graph_token']}\n"
        f"  app id              {data['app_id']}\n"
        f"  app secret          {data['app_secret']}   (X-Hub-Signature-256 of every webhook)\n"
        f"  WABA id             {data['waba_id']}\n"
        f"  phone number id     {data['phone_number_id']}   ({data['display_phone_number']})\n"
        f"  sandbox key         {data['sandbox_key']}   ({base}/sandbox/clock, "
        f"{base}/sandbox/phone/<number>)\n"
        "  subscribe a callback: POST /{app_id}/subscriptions, /{waba_id}/subscribed_apps "
        "or /{phone_number_id} (docs/emulator.md)\n"
    )
    sys.stdout.flush()


@click.command(short_help="Run the Meta emulator alone (Graph API + WhatsApp users).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8361, show_default=True)
@click.option(
    "--data-dir",
    envvar="MMGATE_EMULATOR_DATA_DIR",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DATA_DIR,
    show_default=True,
    help="The emulator's world and credentials (not the gateway's).",
)
@click.option(
    "--seed",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Load a declarative workspace (TOML) instead of a random demo one.",
)
@click.option(
    "--clock",
    type=click.Choice(["sandbox", "frozen", "system"]),
    default="sandbox",
    show_default=True,
    help="sandbox: wall time the sandbox can advance; frozen: only moves when advanced.",
)
@click.option(
    "--webhook-url",
    default=None,
    help="The app's callback URL (as set in an app dashboard); or subscribe via Graph API.",
)
def emulator(
    host: str, port: int, data_dir: Path, seed: Path | None, clock: str, webhook_url: str | None
) -> None:
    """Run the emulated Meta alone, for any Cloud API client (pywa, curl, ...)."""
    import uvicorn

    from mmgate.cli.emulator_app import StandaloneEmulator
    from mmgate.clock import Clock, SystemClock, persisted_sandbox_clock

    try:
        workspace = spec.load(seed) if seed else None
    except (OSError, ValueError, msgspec.ValidationError) as exc:
        raise click.ClickException(f"cannot load seed {seed}: {exc}") from None
    the_clock: Clock = SystemClock()
    if clock in ("sandbox", "frozen"):
        # Saved in the data dir: the emulator's clock resumes where it was (issue 17).
        data_dir.mkdir(parents=True, exist_ok=True)
        the_clock = persisted_sandbox_clock(data_dir / "clock.json", frozen=clock == "frozen")
    app = StandaloneEmulator(
        data_dir,
        the_clock,
        f"http://{host}:{port}",
        workspace=workspace,
        webhook_url=webhook_url,
        on_ready=print_emulator,
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
