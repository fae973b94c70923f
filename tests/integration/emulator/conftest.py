from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.integration.emulator import support
from tests.integration.emulator.standalone import EmulatorProcess
from tests.support import seed
from tests.support.inprocess import InProcessApp, in_process_app
from tests.support.receiver import WebhookReceiver
from tests.support.server import ServerProcess


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[InProcessApp]:
    """In process: the test seed plus a link template on the WABA that is not onboarded."""
    async with in_process_app(tmp_path, seed_path=support.write_seed(tmp_path)) as running:
        yield running


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """The test seed plus a link template on the WABA that is not onboarded."""
    s = ServerProcess(tmp_path / "data", support.write_seed(tmp_path))
    yield s
    s.stop()


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[EmulatorProcess]:
    """`mmgate emulator` alone, with the test seed; nobody subscribed yet."""
    e = EmulatorProcess(tmp_path / "emulator", seed.write_seed(tmp_path))
    yield e
    e.stop()


@pytest.fixture
def receivers() -> Iterator[list[WebhookReceiver]]:
    """Three independent callback endpoints (app, WABA override, phone override)."""
    started = [WebhookReceiver().start() for _ in range(3)]
    yield started
    for r in started:
        r.stop()
