from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import seed
from tests.support.receiver import WebhookReceiver
from tests.support.server import ServerProcess

SHARED = Path(__file__).resolve().parents[2] / "shared"


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
    path = SHARED / "conformance"
    if not path.is_dir():
        pytest.skip(f"conformance data not found at {path} (it lives in ../shared beside the repo)")
    return path
