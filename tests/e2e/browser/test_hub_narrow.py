"""Every Hub page fits a 390 px phone screen: nothing makes the page scroll sideways
(wide tables scroll inside their card), and an ended session says so at sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.integration.ui import browser as chromium
from tests.integration.ui import hub_support as hs
from tests.support import seed
from tests.support.server import ServerProcess

pytestmark = pytest.mark.skipif(not chromium.CHROMIUM.exists(), reason=chromium.MISSING)
PAGES = [
    "/hub/",
    "/hub/integration",
    "/hub/clients",
    "/hub/channels",
    "/hub/messages",
    "/hub/webhooks",
    "/hub/analytics",
    "/hub/login",
]


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp: Path = tmp_path_factory.mktemp("narrow")
    server = ServerProcess(tmp / "data", seed.write_seed(tmp))
    assert hs.add_hub_user(server, seed.PARTNER_ID, hs.EMAIL, hs.PASSWORD).returncode == 0
    server.send(seed.SEED_EXAMPLE)
    server.advance(60)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = chromium.launch(playwright)
        yield launched
        launched.close()


def test_no_hub_page_scrolls_sideways_at_390_px(hub: ServerProcess, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    chromium.sign_in(page, hub.base_url, hs.EMAIL, hs.PASSWORD)
    wide = {}
    for path in PAGES:
        page.goto(hub.base_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[path] = width
    context.close()
    assert wide == {}


def test_an_ended_session_is_explained_at_sign_in(hub: ServerProcess, browser: Browser) -> None:
    context = browser.new_context()
    page = context.new_page()
    chromium.sign_in(page, hub.base_url, hs.EMAIL, hs.PASSWORD)
    hub.advance(13 * 3600)  # sessions last 12 hours
    page.goto(hub.base_url + "/hub/messages")
    assert page.url.startswith(hub.base_url + "/hub/login")
    assert "Your session has ended" in page.content()
    context.close()
