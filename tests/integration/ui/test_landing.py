"""The server's address opens a page with links, and the browser's icon request is
answered, so no page load logs a 404."""

from __future__ import annotations

import re

import pytest

from tests.support.inprocess import InProcessApp

pytestmark = pytest.mark.anyio


async def test_the_root_is_a_landing_page_whose_links_work(app: InProcessApp) -> None:
    page = await app.http.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    links = re.findall(r'href="(/[^"]*)"', page.text)
    assert "/hub/" in links and "/manager/" in links
    for link in links:
        answer = await app.http.get(link)
        assert answer.status_code in (200, 303), link


async def test_the_favicon_is_served(app: InProcessApp) -> None:
    icon = await app.http.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
