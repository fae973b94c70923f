from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.support import seed
from tests.support.inprocess import InProcessApp, in_process_app
from tests.support.receiver import WebhookReceiver
from tests.support.server import ServerProcess

# Meta payloads recorded by pywa (MIT): see tests/fixtures/conformance/README.md.
CONFORMANCE = Path(__file__).resolve().parent / "fixtures" / "conformance"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver().start()
    yield r
    r.stop()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    s = ServerProcess(tmp_path / "data", seed.write_seed(tmp_path))
    yield s
    s.stop()


@pytest.fixture
def conformance_dir() -> Path:
    return CONFORMANCE


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[InProcessApp]:
    """The real app in this process (tests/support/inprocess.py): for what needs no process
    of its own. `server` starts a child process, for crashes, signals and uvicorn's limits."""
    async with in_process_app(tmp_path) as running:
        yield running
