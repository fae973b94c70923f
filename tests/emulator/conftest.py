from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.emulator import support
from tests.support.server import ServerProcess


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """The test seed plus a link template on the WABA that is not onboarded."""
    s = ServerProcess(tmp_path / "data", support.write_seed(tmp_path))
    yield s
    s.stop()
