"""Browser tests drive a real Chromium against a real server on a 2-core machine, where a
page can miss its timing once for reasons that are not the product's (a slow browser
start, a scheduled webhook retried on a frozen sandbox clock). Each gets one rerun; a test
that fails twice fails the suite. Only this tier: the other tiers get no reruns."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.flaky(reruns=1))
