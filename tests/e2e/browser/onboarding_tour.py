"""Screenshots of every MM API onboarding step, for the docs.

`scripts/screenshots [DIR]` runs it: a real server per path (the onboarding test
workspace), Debian's Chromium, and DIR/onboarding-<path>-<step>.png
(default docs/screenshots).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from tests.e2e.browser import onboarding_flows as flows
from tests.e2e.browser.onboarding_support import chromium_problem
from tests.integration.onboarding import workspace as ws
from tests.integration.ui import browser as chromium
from tests.support.server import ServerProcess

DEFAULT_DIR = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
VIEWPORT: ViewportSize = {"width": 1100, "height": 760}


def _photographer(directory: Path, path: str) -> flows.Shot:
    def shot(page: Page, step: str) -> None:
        target = directory / f"onboarding-{path}-{step}.png"
        page.screenshot(path=str(target), full_page=True)
        print(target)

    return shot


def path_a(page: Page, server: ServerProcess, shot: flows.Shot) -> None:
    flows.partner_link(page, server, shot=shot)
    flows.accept_in_signup(page, shot=shot)


def path_b(page: Page, server: ServerProcess, shot: flows.Shot) -> None:
    flows.whatsapp_manager(page, server, shot=shot)
    server.advance(ws.SETUP_DELAY)
    flows.onboarded_in_manager(page, server, shot=shot)


def path_c(page: Page, server: ServerProcess, shot: flows.Shot) -> None:
    flows.request_from_partner(server)
    flows.accept_request(page, server, shot=shot)
    shot(page, "manager-request-accepted")


def refusals(page: Page, server: ServerProcess, shot: flows.Shot) -> None:
    page.goto(f"{server.base_url}/onboard/an-old-link")
    shot(page, "wrong-link")
    flows.partner_link(page, server, ws.EMPLOYEE_EMAIL, ws.EMPLOYEE_PASSWORD)
    expect(page.get_by_role("heading", name="You need full control")).to_be_visible()
    shot(page, "not-admin")
    page.get_by_role("button", name="Log out").click()
    flows.partner_link(page, server, business="Test Shop")
    expect(page.get_by_role("heading", name="Terms already accepted")).to_be_visible()
    shot(page, "already-signed")


TOURS: dict[str, Callable[[Page, ServerProcess, flows.Shot], None]] = {
    "a-link": path_a,
    "b-manager": path_b,
    "c-intent": path_c,
    "refusals": refusals,
}


def _tour(browser: Browser, directory: Path, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "data", ws.write(Path(tmp)))
        context = browser.new_context(viewport=VIEWPORT)
        try:
            TOURS[name](context.new_page(), server, _photographer(directory, name))
        finally:
            context.close()
            server.stop()


def main(argv: list[str]) -> int:
    directory = Path(argv[0]) if argv else DEFAULT_DIR
    problem = chromium_problem()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    directory.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        try:
            for name in TOURS:
                _tour(browser, directory, name)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
