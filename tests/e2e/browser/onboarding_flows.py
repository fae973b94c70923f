"""The three ways a client accepts the MM API terms, as a person clicks through them in
Chromium. Shared by the browser tests and the screenshot tour (`shot` names each step)."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.integration.onboarding import workspace as ws
from tests.integration.onboarding.helpers import GRAPH_AUTH
from tests.support.server import ServerProcess

Shot = Callable[[Page, str], None]


def no_shot(_page: Page, _name: str) -> None:
    return None


def log_in(page: Page, email: str, password: str, shot: Shot = no_shot) -> None:
    expect(page.get_by_role("heading", name="Log in to Meta")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    shot(page, "meta-login")
    page.get_by_role("button", name="Log in").click()


def partner_link(
    page: Page,
    server: ServerProcess,
    email: str = ws.ADMIN_EMAIL,
    password: str = ws.ADMIN_PASSWORD,
    business: str = "Fresh Market GmbH",
    shot: Shot = no_shot,
) -> None:
    """Path A: the partner's link, then embedded signup up to the business's terms."""
    page.goto(f"{server.base_url}/onboard/{ws.LINK_TOKEN}")
    expect(page.get_by_role("heading", name="Enable Marketing Messages API")).to_be_visible()
    shot(page, "link")
    page.get_by_role("link", name="Continue with Meta").click()
    expect(page.get_by_role("heading", name="Connect your account")).to_be_visible()
    shot(page, "signup-connect")
    page.get_by_role("link", name="Log in with Meta").click()
    log_in(page, email, password, shot)
    page.get_by_role("link", name="Continue as").click()
    expect(page.get_by_role("heading", name="Choose your business portfolio")).to_be_visible()
    page.get_by_label(business).check()
    shot(page, "signup-business")
    page.get_by_role("button", name="Continue").click()


def accept_in_signup(page: Page, shot: Shot = no_shot) -> None:
    """Review, accept, finish: back on the partner's result page."""
    expect(
        page.get_by_role("heading", name="Review the Marketing Messages API terms")
    ).to_be_visible()
    expect(page.locator("#eligible-wabas li")).to_have_count(1)
    shot(page, "signup-terms")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("heading", name="You're all set")).to_be_visible()
    shot(page, "signup-finish")
    page.get_by_role("link", name="Finish").click()
    expect(page.get_by_role("heading", name="Terms accepted")).to_be_visible()
    shot(page, "link-result")


def whatsapp_manager(page: Page, server: ServerProcess, shot: Shot = no_shot) -> None:
    """Path B: Overview > Alerts > "Accept terms to get started"."""
    page.goto(f"{server.base_url}/manager/")
    log_in(page, ws.ADMIN_EMAIL, ws.ADMIN_PASSWORD, shot)
    alert = page.locator("#mm-terms-alert")
    expect(alert).to_contain_text("Marketing Messages API")
    shot(page, "manager-overview")
    alert.get_by_role("link", name="Accept terms to get started").click()
    expect(page.get_by_role("heading", name="Marketing Messages API Terms")).to_be_visible()
    shot(page, "manager-terms")
    page.get_by_role("button", name="Accept terms").click()
    expect(page.get_by_role("heading", name="Terms accepted")).to_be_visible()
    shot(page, "manager-accepted")


def request_from_partner(server: ServerProcess) -> str:
    """Path C, the partner's half: the intent API."""
    response = server.http.post(
        f"/graph/v23.0/{ws.UNSIGNED_BUSINESS_ID}/onboard_partners_to_mm_lite", headers=GRAPH_AUTH
    )
    assert response.status_code == 200, response.text
    request_id: str = response.json()["request_id"]
    return request_id


def accept_request(page: Page, server: ServerProcess, shot: Shot = no_shot) -> None:
    """Path C, the client's half: Settings > Requests > Accept."""
    page.goto(f"{server.base_url}/manager/")
    log_in(page, ws.ADMIN_EMAIL, ws.ADMIN_PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Requests").click()
    expect(page.get_by_role("heading", name="Requests")).to_be_visible()
    shot(page, "manager-requests")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("heading", name="Terms accepted")).to_be_visible()


def onboarded_in_manager(page: Page, server: ServerProcess, shot: Shot = no_shot) -> None:
    page.goto(f"{server.base_url}/manager/?business_id={ws.UNSIGNED_BUSINESS_ID}")
    row = page.locator(f'tr[data-waba-id="{ws.ELIGIBLE_WABA_ID}"]')
    expect(row).to_contain_text("Onboarded")
    expect(page.locator("#mm-terms-alert")).to_have_count(0)
    shot(page, "manager-onboarded")
