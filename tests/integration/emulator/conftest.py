from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.emulator import support
from tests.integration.emulator.standalone import EmulatorProcess
from tests.support import seed
from tests.support.receiver import WebhookReceiver
from tests.support.server import ServerProcess


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
