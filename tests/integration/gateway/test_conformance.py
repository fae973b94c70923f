"""Our status webhooks have the keys and value types of Meta's recorded payloads."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from mmgate.clock import SandboxClock
from mmgate.emulator import graph_api
from mmgate.emulator.state import Emulator
from mmgate.httpclient import NetworkClient
from mmgate.signing import verify
from mmgate.web import surfaces
from mmgate.workspace import spec
from mmgate.workspace.provision import provision_emulator
from tests.support import seed
from tests.support.inprocess import InProcessApp
from tests.support.receiver import WebhookReceiver, statuses
from tests.support.shapes import REQUIRED_STATUS_PATHS, mismatches, shape


def _recorded(conformance_dir: Path) -> list[Any]:
    data = json.loads((conformance_dir / "pywa-updates" / "message_status.json").read_text())
    return [data[k] for k in ("sent", "delivered", "read", "failed")]


def _check(payload: Any, recorded: list[Any]) -> None:
    assert mismatches(payload, recorded) == []
    ours = shape(payload)
    assert [p for p in REQUIRED_STATUS_PATHS if p not in ours] == []


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def standalone_emulator(
    receiver: WebhookReceiver, tmp_path: Path
) -> AsyncIterator[tuple[Emulator, Any]]:
    """The emulator alone, as someone coding against Meta directly would use it."""
    clock = SandboxClock(frozen_at=1_800_000_000.0)
    http = NetworkClient()
    try:
        emulator = Emulator(clock, None, http)
        workspace = spec.load(seed.write_seed(tmp_path))
        provision_emulator(emulator.worlds, workspace, receiver.url, clock.now())
        app = Starlette(routes=graph_api.routes, exception_handlers=surfaces.exception_handlers())
        app.state.emulator = emulator
        emulator.start()
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://meta"
        ) as graph:
            yield emulator, graph
        await emulator.stop()
    finally:
        await http.aclose()


@pytest.mark.anyio
async def test_emulator_status_webhooks_match_recorded_payloads(
    standalone_emulator: tuple[Emulator, Any], receiver: WebhookReceiver, conformance_dir: Path
) -> None:
    emulator, graph = standalone_emulator
    response = await graph.post(
        f"/graph/v23.0/{seed.PHONE_NUMBER_ID}/marketing_messages",
        json=seed.SEED_EXAMPLE,
        headers={"Authorization": f"Bearer {seed.GRAPH_TOKEN}"},
    )
    assert response.status_code == 200, response.text
    assert isinstance(emulator.clock, SandboxClock)
    emulator.clock.advance(60)

    requests = await receiver.wait_for_async(lambda r: len(statuses(r)) >= 3)
    recorded = _recorded(conformance_dir)
    for request in requests:
        assert verify(seed.APP_SECRET, request.body, request.headers["x-hub-signature-256"])
        _check(request.json(), recorded)
    sent = statuses(requests)[0]
    assert sent["pricing"] == {
        "billable": True,
        "pricing_model": "PMP",
        "type": "regular",
        "category": "marketing_lite",
    }
    assert sent["conversation"]["origin"]["type"] == "marketing_lite"


@pytest.mark.anyio
async def test_relayed_webhooks_match_recorded_payloads(
    app: InProcessApp, receiver: WebhookReceiver, conformance_dir: Path
) -> None:
    await app.set_webhook(receiver.url)
    await app.send(seed.SEED_EXAMPLE)
    await app.send({**seed.SEED_EXAMPLE, "to": "447700900000"})  # fails 131026
    await app.advance(60)

    requests = await receiver.wait_for_async(lambda r: len(statuses(r)) >= 4)
    recorded = _recorded(conformance_dir)
    for request in requests:
        _check(request.json(), recorded)
