from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mmgate.sdk import Client, Retry
from tests.support.inprocess import ThreadedApp, threaded_app

# Retries still happen in tests, just without the production pauses.
FAST_RETRY = Retry(attempts=3, backoff_seconds=0.01, max_backoff_seconds=0.05)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[ThreadedApp]:
    """The app in this process, its event loop in a thread: the SDK's `Client` blocks."""
    with threaded_app(tmp_path) as app:
        yield app


@pytest.fixture
def client(served: ThreadedApp) -> Iterator[Client]:
    http = httpx.Client(transport=served.transport())
    with Client.from_workspace(served.data_dir, retry=FAST_RETRY, http=http) as c:
        yield c
