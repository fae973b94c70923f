"""The simulated phone (`/sandbox/phone/{number}`) in Debian's Chromium: a template
rendered with its parameters and ticks, and the user's controls, each checked against
the webhooks the gateway relays."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.integration.emulator import support
from tests.integration.emulator.support import offer, send
from tests.integration.ui import browser as chromium
from tests.support import seed
from tests.support.receiver import WebhookReceiver, statuses
from tests.support.server import ServerProcess

pytestmark = [
    pytest.mark.skipif(not chromium.CHROMIUM.exists(), reason=chromium.MISSING),
]
NUMBER = "447700900002"  # test number: delivered, never read by itself


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    s = ServerProcess(tmp_path / "data", support.write_seed(tmp_path))
    yield s
    s.stop()


@pytest.fixture
def page(server: ServerProcess) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser: Browser = chromium.launch(playwright)
        context = browser.new_context(base_url=server.base_url)
        yield context.new_page()
        context.close()
        browser.close()


def _has(receiver: WebhookReceiver, wamid: str, status: str) -> None:
    receiver.wait_for(
        lambda got: any(s["id"] == wamid and s["status"] == status for s in statuses(got))
    )


def test_the_phone_shows_the_chat_and_the_user_reads_taps_goes_offline_and_opts_out(
    page: Page, server: ServerProcess, receiver: WebhookReceiver
) -> None:
    server.set_webhook(receiver.url)
    first = send(server, offer(NUMBER, name="Grace"))
    server.advance(60)
    _has(receiver, first, "delivered")

    page.goto(f"/sandbox/phone/{NUMBER}")
    page.get_by_label("Sandbox key").fill(seed.SANDBOX_KEY)
    page.get_by_role("button", name="Open the phone").click()
    bubble = page.get_by_role("article", name="Message 1")
    expect(bubble).to_contain_text("Hi Grace, your offer is waiting.")
    expect(bubble).to_contain_text("Delivered")
    expect(page.get_by_role("status")).to_contain_text("Online")

    page.get_by_role("button", name="Open the chat").click()
    expect(bubble).to_contain_text("Read")
    _has(receiver, first, "read")

    bubble.get_by_role("button", name="Open ↗").click()
    result = page.get_by_role("alert")
    expect(result).to_contain_text("Meta reported the click")
    expect(result.get_by_role("link")).to_have_attribute(
        "href", re.compile(r"^https://shop\.example\.com/offer/A-42\?click_id=")
    )
    click_id = result.locator("code").inner_text()
    got = receiver.wait_for(lambda r: click_id.encode() in b"".join(x.body for x in r))
    assert any(b"marketing_messages_link_click" in r.body for r in got)

    page.get_by_role("button", name="Go offline").click()
    expect(page.get_by_role("status")).to_contain_text("Offline")
    second = send(server, {**seed.SEED_EXAMPLE, "to": NUMBER})
    server.advance(60)
    _has(receiver, second, "sent")
    page.reload()
    expect(page.get_by_role("article", name="Message 2")).to_contain_text("Our summer sale is on.")
    expect(page.get_by_role("article", name="Message 2")).to_contain_text("Sent")
    page.get_by_role("button", name="Go online").click()
    server.advance(60)
    _has(receiver, second, "delivered")
    page.reload()
    expect(page.get_by_role("article", name="Message 2")).to_contain_text("Delivered")

    page.get_by_role("button", name="Stop marketing messages").click()
    expect(page.get_by_role("status")).to_contain_text("marketing messages stopped")
    third = send(server, {**seed.SEED_EXAMPLE, "to": NUMBER})
    server.advance(60)
    _has(receiver, third, "failed")
    page.reload()
    expect(page.get_by_role("article", name="Message 3")).to_contain_text("131050")
    expect(page.get_by_role("button", name="Resume marketing messages")).to_be_visible()
