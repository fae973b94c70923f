"""`mmgate serve` and `mmgate workspace`: run the server, and show its credentials."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from mmgate.cli.options import data_dir_option


def print_workspace(data: dict[str, Any], *, running: bool = True) -> None:
    base = data["base_url"]
    if running:
        heading = "mmgate is ready (sandbox: gateway + emulator + workers)"
    else:
        heading = "mmgate is NOT running (start it with `mmgate serve`); its workspace:"
    click.echo(
        f"\n{heading}\n"
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
        + _templates_line(data.get("templates") or [])
        + "  all of it as JSON: mmgate workspace --json\n"
    )


def _templates_line(templates: list[dict[str, Any]]) -> str:
    if not templates:
        return ""
    shown = []
    for t in templates:
        needs = [f"{t['body_parameters']} param" + ("s" if t["body_parameters"] != 1 else "")]
        if t.get("url_suffix"):
            needs.append("URL suffix")
        takes = ", ".join(needs) if t["body_parameters"] or t.get("url_suffix") else "no params"
        shown.append(f"{t['name']} ({t['category'].lower()}, {t['language']}, {takes})")
    return "  templates       " + "\n                  ".join(shown) + "\n"


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
    """Start the gateway, the emulator and the workers in one process (or several).

    Logs go to stderr: MMGATE_LOG_LEVEL (debug, info, warning, error), MMGATE_LOG_FORMAT
    (text or json), MMGATE_ACCESS_LOG (true/false).
    """
    import msgspec

    from mmgate.serving import lock, logs
    from mmgate.settings import Settings
    from mmgate.workspace import spec

    try:
        workspace = spec.load(seed) if seed else None
    except (OSError, ValueError, msgspec.ValidationError) as exc:
        raise click.ClickException(f"cannot load seed {seed}: {exc}") from None
    try:
        settings = Settings.from_env(host=host, port=port, data_dir=data_dir, clock=clock)
        logs.configure(settings.log_level, settings.log_format)
        held = lock.acquire(data_dir, settings.base_url)
    except (ValueError, lock.DataDirBusy) as exc:
        raise click.ClickException(str(exc)) from None
    listener = _listen(host, port)  # before anything says "ready"
    try:
        _run(settings, workspace, listener, workers)
    finally:
        held.release()


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror or exc} (is another server "
            "running there? pick another --port)"
        ) from None
    listener.listen(2048)
    listener.set_inheritable(True)
    return listener


def _announcer(settings: Any) -> Callable[[dict[str, Any]], None]:
    from mmgate.workspace import provision

    def announce(data: dict[str, Any]) -> None:
        current = provision.at_base_url(data, settings.base_url)
        if current != data:
            provision.write_credentials(settings.data_dir, current)
        print_workspace(current)

    return announce


def _run(settings: Any, workspace: Any, listener: socket.socket, workers: int) -> None:
    import asyncio

    import uvicorn

    from mmgate.app import build_app
    from mmgate.serving.runner import bounded, uvicorn_options

    options = uvicorn_options(settings)
    on_ready = _announcer(settings)
    if workers == 1:
        app = bounded(build_app(settings, seed=workspace, on_ready=on_ready), settings)
        server = uvicorn.Server(uvicorn.Config(app, **options))
        server.run(sockets=[listener])
        return
    if not settings.database_url:
        raise click.ClickException(
            "--workers needs PostgreSQL (MMGATE_DATABASE_URL): SQLite keeps one writer per file"
        )
    # Provision once here, so the processes never race to create a workspace.
    asyncio.run(build_app(settings, seed=workspace, on_ready=on_ready).prepare())
    os.environ.update(
        {
            "MMGATE_HOST": settings.host,
            "MMGATE_PORT": str(settings.port),
            "MMGATE_DATA_DIR": str(settings.data_dir),
            **({"MMGATE_CLOCK": settings.clock} if settings.clock else {}),
        }
    )
    listener.close()  # the port was free; uvicorn's supervisor binds it for the workers
    uvicorn.run("mmgate.serving.runner:app_from_env", factory=True, workers=workers, **options)


@click.command(short_help="Print the workspace's URLs and keys.")
@data_dir_option()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object for scripts.")
def workspace(data_dir: Path, as_json: bool) -> None:
    """Print the workspace's URLs and credentials, and whether a server runs on them."""
    from mmgate.serving import lock
    from mmgate.workspace import provision

    data = provision.read_credentials(data_dir)
    if data is None:
        raise click.ClickException(f"no workspace in {data_dir}: run `mmgate serve` first")
    running = lock.holder(data_dir) is not None
    if as_json:
        click.echo(json.dumps({**data, "running": running}))
    else:
        print_workspace(data, running=running)
