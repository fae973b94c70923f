"""Each way a client accepts the MM API terms, clicked through in Debian's Chromium;
then the partner's webhook receives the confirmation and a send goes out as
marketing_lite (before: marketing)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.browser import onboarding_flows as flows
from tests.e2e.browser.onboarding_support import chromium_problem
from tests.integration.onboarding import workspace as ws
from tests.integration.onboarding.helpers import (
    client_mm_statuses,
    send_category,
    set_partner_webhook,
    signed_waba_ids,
    terms_signed,
)
from tests.integration.ui import browser as chromium
from tests.support.receiver import WebhookReceiver
from tests.support.server import ServerProcess


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    problem = chromium_problem()
    if problem is not None:
        pytest.skip(problem)
    with sync_playwright() as playwright:
        launched = chromium.launch(playwright)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


@dataclass
class Stage:
    server: ServerProcess
    client: WebhookReceiver  # the channel's webhook: message statuses
    partner: WebhookReceiver  # the partner's webhook: account_update

    def confirmed_and_sending_via_mm(self) -> None:
        """After the set-up delay: one confirmation, for the eligible WABA only, and the
        client's marketing goes out on MM API."""
        assert terms_signed(self.partner.succeeded()) == []
        self.server.advance(ws.SETUP_DELAY)
        self.partner.wait_for(lambda r: len(terms_signed(r)) >= 1)
        assert client_mm_statuses(self.server)[ws.ELIGIBLE_WABA_ID] == "ONBOARDED"
        category = send_category(self.server, self.client, ws.ELIGIBLE_CHANNEL_KEY, "441234567899")
        assert category == "marketing_lite"
        assert signed_waba_ids(self.partner.succeeded()) == [ws.ELIGIBLE_WABA_ID]


@pytest.fixture
def stage(tmp_path: Path) -> Iterator[Stage]:
    client, partner = WebhookReceiver().start(), WebhookReceiver().start()
    server = ServerProcess(tmp_path / "data", ws.write(tmp_path))
    try:
        set_partner_webhook(server, partner.url)
        server.set_webhook(client.url, key=ws.ELIGIBLE_CHANNEL_KEY)
        assert send_category(server, client, ws.ELIGIBLE_CHANNEL_KEY) == "marketing"
        yield Stage(server, client, partner)
    finally:
        server.stop()
        client.stop()
        partner.stop()


def test_path_a_partner_link_and_embedded_signup(page: Page, stage: Stage) -> None:
    flows.partner_link(page, stage.server)
    flows.accept_in_signup(page)
    expect(page.get_by_text("Test Partner is notified")).to_be_visible()
    stage.confirmed_and_sending_via_mm()


def test_path_b_whatsapp_manager_alert(page: Page, stage: Stage) -> None:
    flows.whatsapp_manager(page, stage.server)
    stage.confirmed_and_sending_via_mm()
    flows.onboarded_in_manager(page, stage.server)


def test_path_c_intent_request_accepted_in_business_settings(page: Page, stage: Stage) -> None:
    flows.request_from_partner(stage.server)
    flows.accept_request(page, stage.server)
    stage.confirmed_and_sending_via_mm()


def test_link_refusals_are_clear_pages(page: Page, stage: Stage) -> None:
    page.goto(f"{stage.server.base_url}/onboard/an-old-link")
    expect(page.get_by_role("heading", name="This onboarding link is not valid")).to_be_visible()

    flows.partner_link(page, stage.server, ws.EMPLOYEE_EMAIL, ws.EMPLOYEE_PASSWORD)
    expect(page.get_by_role("heading", name="You need full control")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    flows.partner_link(page, stage.server, business="Test Shop")
    expect(page.get_by_role("heading", name="Terms already accepted")).to_be_visible()
    page.get_by_role("link", name="Finish").click()
    expect(page.get_by_role("heading", name="Already enabled")).to_be_visible()
    assert terms_signed(stage.partner.succeeded()) == []
