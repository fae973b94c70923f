"""Where the CLI finds the server and its keys: flags, then `MMGATE_*` variables, then the
workspace that `mmgate serve` wrote to the data directory."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from mmgate.cli.options import data_dir_option
from mmgate.sdk import AsyncClient, Client, Retry
from mmgate.sdk._requests import DEFAULT_BASE_URL
from mmgate.sdk._workspace import read_workspace

F = Callable[..., Any]


@dataclass(frozen=True)
class Connection:
    data_dir: Path
    base_url: str
    api_key: str | None
    partner_api_key: str | None
    partner_id: str | None
    sandbox_key: str | None
    webhook_secret: str | None

    @classmethod
    def resolve(
        cls,
        data_dir: Path,
        base_url: str | None,
        api_key: str | None,
        sandbox_key: str | None,
    ) -> Connection:
        known = read_workspace(data_dir) or {}
        return cls(
            data_dir=data_dir,
            base_url=base_url or known.get("base_url") or DEFAULT_BASE_URL,
            api_key=api_key or known.get("channel_api_key"),
            partner_api_key=known.get("partner_api_key"),
            partner_id=known.get("partner_id"),
            sandbox_key=sandbox_key or known.get("sandbox_key"),
            webhook_secret=known.get("partner_webhook_secret"),
        )

    def client(self, *, needs: str = "api_key", retry: Retry | None = None) -> Client:
        return Client(**self._options(needs), retry=retry)

    def async_client(self, *, needs: str = "api_key", retry: Retry | None = None) -> AsyncClient:
        return AsyncClient(**self._options(needs), retry=retry)

    def _options(self, needs: str) -> dict[str, Any]:
        options = {
            "base_url": self.base_url,
            "api_key": self.api_key,
            "partner_api_key": self.partner_api_key,
            "partner_id": self.partner_id,
            "sandbox_key": self.sandbox_key,
        }
        if not options[needs]:
            flag, variable = _HOW_TO_GIVE[needs]
            raise click.ClickException(
                f"no {needs.replace('_', ' ')}: pass {flag}, set {variable}, or run "
                f"`mmgate serve` so that {self.data_dir}/workspace.json exists"
            )
        return options


_HOW_TO_GIVE = {
    "api_key": ("--api-key", "MMGATE_API_KEY"),
    "sandbox_key": ("--sandbox-key", "MMGATE_SANDBOX_KEY"),
}


def connection_options(*, sandbox: bool = False) -> Callable[[F], F]:
    """Add --data-dir, --base-url and --api-key (and --sandbox-key) to a command, and hand
    it one resolved `connection` argument instead."""

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def wrapper(
            *args: Any,
            data_dir: Path,
            base_url: str | None,
            api_key: str | None,
            sandbox_key: str | None = None,
            **kwargs: Any,
        ) -> Any:
            connection = Connection.resolve(data_dir, base_url, api_key, sandbox_key)
            return command(*args, connection=connection, **kwargs)

        options = [
            data_dir_option("Where `mmgate serve` keeps its workspace (keys are read from there)."),
            click.option(
                "--base-url",
                envvar="MMGATE_BASE_URL",
                help="The server (default: the workspace's, else http://127.0.0.1:8360); "
                "any 360dialog-compatible host works.",
            ),
            click.option(
                "--api-key",
                envvar="MMGATE_API_KEY",
                help="The channel's D360-API-KEY (default: the workspace's).",
            ),
        ]
        if sandbox:
            options.append(
                click.option(
                    "--sandbox-key",
                    envvar="MMGATE_SANDBOX_KEY",
                    help="The X-Sandbox-Key (default: the workspace's).",
                )
            )
        decorated: F = wrapper
        for option in reversed(options):
            decorated = option(decorated)
        return decorated

    return decorate
