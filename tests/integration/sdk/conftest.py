from __future__ import annotations

from collections.abc import Iterator

import pytest

from mmgate.sdk import Client, Retry
from tests.support.server import ServerProcess

# Retries still happen in tests, just without the production pauses.
FAST_RETRY = Retry(attempts=3, backoff_seconds=0.01, max_backoff_seconds=0.05)


@pytest.fixture
def client(server: ServerProcess) -> Iterator[Client]:
    with Client.from_workspace(server.data_dir, retry=FAST_RETRY) as c:
        yield c
