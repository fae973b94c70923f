"""Driving Debian's Chromium with Playwright's sync API (never `playwright install`)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MISSING = f"{CHROMIUM} not found: install Debian's chromium (scripts/ensure-chromium)"


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)


def sign_in(page: Page, base_url: str, email: str, password: str, path: str = "/hub/") -> None:
    """Open `path`, get sent to the login page, sign in, land back on `path`."""
    page.goto(base_url + path)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base_url + path)
