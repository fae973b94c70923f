"""The emulator on its own (`mmgate emulator`): Meta's Graph API, sandbox and pages, with
its own world file, clock and port, and no gateway.

Any Cloud API client can use it as its Meta: the Graph API answers at
`/graph/vNN.0/...` and also at `/vNN.0/...` (graph.facebook.com's own paths), so a client
only swaps the host. Its webhooks go to whoever subscribes (app callback URL, WABA or
phone-number override), signed with the app secret.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from mmgate.clock import Clock, SandboxClock
from mmgate.emulator import routes as emulator_routes
from mmgate.emulator.state import Emulator
from mmgate.httpclient import NetworkClient
from mmgate.web import surfaces
from mmgate.workspace import provision, spec

WORLD_FILE = "emulator.json"
CREDENTIALS_FILE = "emulator-credentials.json"
_GRAPH_PATH = re.compile(r"^/v\d+\.\d+/")


class StandaloneEmulator:
    def __init__(
        self,
        data_dir: Path,
        clock: Clock,
        base_url: str,
        *,
        workspace: spec.WorkspaceSpec | None = None,
        webhook_url: str | None = None,
        on_ready: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir, self.clock, self.base_url = data_dir, clock, base_url
        self.workspace, self.webhook_url, self.on_ready = workspace, webhook_url, on_ready
        self.http = NetworkClient(timeout=10.0)
        self.emulator = Emulator(clock, data_dir / WORLD_FILE, self.http, journal_writer="process")
        routes = [Route("/healthz", _healthz), *emulator_routes.routes()]
        self.starlette = Starlette(
            routes=routes,
            lifespan=self._lifespan,
            exception_handlers=surfaces.exception_handlers(),
        )
        self.starlette.state.emulator = self.emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _GRAPH_PATH.match(scope["path"]):
            path = "/graph" + scope["path"]  # graph.facebook.com's paths, as they are
            scope = dict(scope, path=path, raw_path=path.encode("latin-1"))
        await self.starlette(scope, receive, send)

    @contextlib.asynccontextmanager
    async def _lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        self._provision()
        self.emulator.start()
        if isinstance(self.clock, SandboxClock):
            self.clock.on_settle(self.emulator.sender.settle)
        try:
            yield
        finally:
            await self.emulator.stop()
            await self.http.aclose()

    def _provision(self) -> None:
        path = self.data_dir / CREDENTIALS_FILE
        workspace = self.workspace
        if workspace is None and path.exists():
            data = json.loads(path.read_text())
        else:
            workspace = workspace or spec.demo()
            worlds = self.emulator.worlds
            provision.provision_emulator(worlds, workspace, "", self.clock.now())
            assert worlds.world.app is not None
            worlds.world.app.webhook_url = None  # nobody subscribed yet
            data = credentials(workspace, self.base_url, worlds.world.app.id)
            _write_private(path, data)
        app = self.emulator.worlds.world.app
        if self.webhook_url is not None and app is not None:
            # The operator's own callback, as set in the app dashboard (not verified).
            app.webhook_url = self.webhook_url or None
        self.emulator.worlds.save()
        data["base_url"] = self.base_url
        data["graph_base_url"] = f"{self.base_url}/graph/v{GRAPH_VERSION}"
        if self.on_ready is not None:
            self.on_ready(data)


GRAPH_VERSION = "23.0"


def credentials(workspace: spec.WorkspaceSpec, base_url: str, app_id: str) -> dict[str, Any]:
    client = workspace.clients[0] if workspace.clients else None
    waba = client.wabas[0] if client and client.wabas else None
    channel = waba.channels[0] if waba and waba.channels else None
    return {
        "base_url": base_url,
        "graph_base_url": f"{base_url}/graph/v{GRAPH_VERSION}",
        "graph_token": workspace.meta.graph_token,
        "app_id": app_id,
        "app_secret": workspace.meta.app_secret,
        "sandbox_key": workspace.sandbox.key,
        "waba_id": waba.id if waba else None,
        "phone_number_id": channel.phone_number_id if channel else None,
        "display_phone_number": channel.display_phone_number if channel else None,
    }


def _write_private(path: Path, data: dict[str, Any]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)


async def _healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})
