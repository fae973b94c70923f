from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from mmgate.clock import SandboxClock
from mmgate.emulator import routes as emulator_routes
from mmgate.emulator.state import Emulator
from mmgate.httpclient import HttpClient, NetworkClient
from mmgate.web import surfaces
from mmgate.workspace import spec
from mmgate.workspace.provision import provision_emulator
from tests.integration.onboarding import workspace
from tests.support.inprocess import InProcessApp, in_process_app
from tests.support.receiver import WebhookReceiver
from tests.support.server import ServerProcess


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Meta:
    """The emulator on its own (as someone coding against Meta would use it), its
    webhooks going to a real receiver; `http` keeps cookies like a browser."""

    emulator: Emulator
    clock: SandboxClock
    http: httpx.AsyncClient
    world_path: Path

    async def advance(self, seconds: float) -> None:
        await self.clock.settle()
        self.clock.advance(seconds)


async def start_meta(
    receiver: WebhookReceiver,
    world_path: Path,
    clock: SandboxClock,
    http: HttpClient,
    *,
    run: bool = True,
) -> tuple[Emulator, httpx.AsyncClient]:
    """The emulator and a cookie-keeping client for it; `run=False` leaves its scheduler
    and webhook sender stopped (a process that will die before anything is due)."""
    emulator = Emulator(clock, world_path, http)
    workspace_spec = spec.load(workspace.write(world_path.parent))
    provision_emulator(emulator.worlds, workspace_spec, receiver.url, clock.now())
    app = Starlette(
        routes=emulator_routes.routes(), exception_handlers=surfaces.exception_handlers()
    )
    app.state.emulator = emulator
    if run:
        emulator.start()
        clock.on_settle(emulator.sender.settle)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://meta")
    return emulator, client


@pytest.fixture
async def meta(receiver: WebhookReceiver, tmp_path: Path) -> AsyncIterator[Meta]:
    clock = SandboxClock(frozen_at=1_800_000_000.0)
    http = NetworkClient()
    try:
        emulator, client = await start_meta(receiver, tmp_path / "world.json", clock, http)
        yield Meta(emulator, clock, client, tmp_path / "world.json")
        await client.aclose()
        await emulator.stop()
    finally:
        await http.aclose()


@pytest.fixture
async def onboarding_app(tmp_path: Path) -> AsyncIterator[InProcessApp]:
    """In process: the onboarding workspace (tests/integration/onboarding/workspace.py)."""
    async with in_process_app(tmp_path, seed_path=workspace.write(tmp_path)) as app:
        yield app


@pytest.fixture
def onboarding_server(tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path / "data", workspace.write(tmp_path))
    yield server
    server.stop()


@pytest.fixture
def partner_receiver() -> Iterator[WebhookReceiver]:
    """The partner's webhook URL (partner events such as account_update)."""
    r = WebhookReceiver().start()
    yield r
    r.stop()
