"""Every Partner Hub page in Debian's Chromium, with real data: messages of every fate sent
through the real server, the sandbox clock advanced so their statuses arrive."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, StorageState, expect, sync_playwright

from tests.integration.ui import browser as chromium
from tests.integration.ui import hub_support as hs
from tests.support import seed
from tests.support.receiver import WebhookReceiver, statuses
from tests.support.server import ServerProcess

pytestmark = pytest.mark.skipif(not chromium.CHROMIUM.exists(), reason=chromium.MISSING)
PARTNER_API = f"/api/v2/partners/{seed.PARTNER_ID}"


def _template(name: str, params: list[str] | None = None) -> dict[str, Any]:
    template: dict[str, Any] = {"name": name, "language": {"policy": "deterministic", "code": "en"}}
    if params:
        template["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}
        ]
    return {**seed.SEED_EXAMPLE, "template": template}


def _tab(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Hub sections").get_by_role("link", name=name).click()


@dataclass
class World:
    server: ServerProcess
    receiver: WebhookReceiver
    routes: dict[str, str] = field(default_factory=dict)  # wamid -> route it counts on
    final: dict[str, str] = field(default_factory=dict)  # wamid -> last status expected

    def send(
        self, to: str, route: str, *, body: dict[str, Any] | None = None,
        key: str = seed.CHANNEL_KEY, path: str = "/marketing_messages", final: str = "read",
    ) -> str:  # fmt: skip
        answer = self.server.send({**(body or seed.SEED_EXAMPLE), "to": to}, key=key, path=path)
        assert answer.status_code == 200, answer.text
        wamid: str = answer.json()["messages"][0]["id"]
        self.routes[wamid] = route
        self.final[wamid] = final
        return wamid

    def settle(self) -> None:
        """Advance the clock until every message sent has reached its last status."""
        self.server.advance(60)
        self.receiver.wait_for(
            lambda got: {(s["id"], s["status"]) for s in statuses(got)} >= set(self.final.items())
        )

    def count(self, route: str) -> int:
        return sum(1 for r in self.routes.values() if r == route)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    receiver = WebhookReceiver().start()
    server = hs.start_two_partners(tmp_path_factory.mktemp("hub-browser"))
    try:
        for key in (seed.CHANNEL_KEY, seed.OTHER_CHANNEL_KEY):
            server.set_webhook(receiver.url, key=key)
        w = World(server, receiver)
        w.send("441234567890", "mm_api")
        w.send("441234560002", "mm_api", final="delivered")
        w.send("441234560003", "mm_api")
        w.send("441234560000", "mm_api", final="failed")  # not on WhatsApp
        w.send("16505551234", "mm_api", final="failed")  # US: marketing refused
        w.send("441234567894", "cloud_api", body=_template("order_update", ["A-100"]),
               path="/messages")  # fmt: skip
        for to in ("441234567891", "441234567892"):  # a WABA not onboarded: Cloud API
            w.send(to, "cloud_api", key=seed.OTHER_CHANNEL_KEY, path="/messages")
        secret = {**_template("rival_secret_promo"), "to": "447700900999"}
        rival = server.send(secret, key=hs.RIVAL_CHANNEL_KEY)
        assert rival.status_code == 200
        w.settle()
        yield w
    finally:
        server.stop()
        receiver.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = chromium.launch(playwright)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def signed_in(browser: Browser, world: World) -> StorageState:
    """The test partner's user signs in once through the login form; each test starts a
    fresh browser context from that session."""
    context = browser.new_context()
    chromium.sign_in(context.new_page(), world.server.base_url, hs.EMAIL, hs.PASSWORD)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def page(browser: Browser, world: World, signed_in: StorageState) -> Iterator[Page]:
    context = browser.new_context(
        base_url=world.server.base_url,
        storage_state=signed_in,
        permissions=["clipboard-read", "clipboard-write"],
    )
    opened = context.new_page()
    opened.goto("/hub/")
    yield opened
    context.close()


def test_overview_shows_the_onboarding_link_to_copy_and_the_last_days(
    page: Page, world: World
) -> None:
    link = world.server.http.get(PARTNER_API, headers={"X-API-Key": seed.PARTNER_KEY})
    expected = link.json()["data"]["onboarding_link"]
    expect(page.locator("#onboarding-link")).to_have_value(expected)
    copy = page.locator("[data-copy='#onboarding-link']")
    expect(copy).to_have_text("Copy link")
    copy.click()
    expect(copy).to_have_attribute("data-copied", "yes")
    assert page.evaluate("navigator.clipboard.readText()") == expected

    total = len(world.routes)
    expect(page.locator("[data-stat=accepted]")).to_have_text(str(total))
    share = world.count("mm_api") / total
    expect(page.locator("[data-stat=mm-share]")).to_have_text(f"{share * 100:.1f}%")
    expect(page.locator("[data-stat=failed]")).to_have_text("2")
    expect(page.locator("svg.chart")).to_have_count(1)
    expect(page.get_by_text("131026")).to_be_visible()


def test_integration_switch_routes_marketing_via_mm_api(page: Page, world: World) -> None:
    server = world.server
    _tab(page, "Integration")
    expect(page.get_by_role("heading", name="Route Marketing via MM API")).to_be_visible()
    switch = page.get_by_role("switch")
    expect(switch).to_be_checked()
    expect(page.get_by_role("button", name="Save", exact=True)).to_be_hidden()  # saves on change
    with page.expect_navigation():
        page.locator("label.switch").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.get_by_role("switch")).not_to_be_checked()
    routing = server.http.get(PARTNER_API + "/settings", headers={"X-API-Key": seed.PARTNER_KEY})
    assert routing.json()["data"] == {"marketing_templates_routing": {"enabled": False}}

    wamid = world.send("441234567897", "cloud_api", path="/messages")
    assert server.message(wamid)["route_requested"] == "cloud_api"
    with page.expect_navigation():
        page.locator("label.switch").click()
    expect(page.get_by_role("switch")).to_be_checked()
    routing = server.http.get(PARTNER_API + "/settings", headers={"X-API-Key": seed.PARTNER_KEY})
    assert routing.json()["data"]["marketing_templates_routing"]["enabled"] is True
    world.settle()


def test_clients_show_mm_status_per_waba(page: Page) -> None:
    _tab(page, "Clients")
    expect(page.get_by_role("heading", name="Test Shop", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Not Onboarded Ltd")).to_be_visible()
    onboarded = page.locator(f"[data-waba-id='{seed.WABA_ID}'] [data-mm-status]")
    expect(onboarded).to_have_attribute("data-mm-status", "ONBOARDED")
    expect(onboarded).to_have_text("Onboarded")
    other = page.locator(f"[data-waba-id='{seed.OTHER_WABA_ID}'] [data-mm-status]")
    expect(other).not_to_have_attribute("data-mm-status", "ONBOARDED")
    expect(page.get_by_text("Rival Client Secret Co")).to_have_count(0)


def test_channels_create_a_key_shown_once_and_revoke_it(page: Page, world: World) -> None:
    _tab(page, "Channels & API keys")
    channel = page.locator(f"[data-channel-id='{seed.PHONE_NUMBER_ID}']")
    channel.get_by_label("Label for the new key").fill("Browser test")
    channel.get_by_role("button", name="Create API key").click()
    new_key = page.locator("#new-key").input_value()
    expect(page.get_by_text("it is shown this once")).to_be_visible()
    world.send("441234567898", "mm_api", key=new_key)

    page.reload()  # a plain GET: the key is not shown again
    expect(page.locator("#new-key")).to_have_count(0)
    row = page.locator(f"tr[data-key-hint='{new_key[-4:]}']")
    expect(row).to_contain_text("Browser test")
    expect(row).to_contain_text("active")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Key revoked")).to_be_visible()
    expect(row).to_contain_text("revoked")
    refused = world.server.send({**seed.SEED_EXAMPLE, "to": "441234567899"}, key=new_key)
    assert refused.status_code == 401
    world.settle()


def test_message_log_filters_and_a_message_timeline(page: Page, world: World) -> None:
    _tab(page, "Messages")
    rows = page.locator("table.log tbody tr[data-wamid]")
    expect(rows).to_have_count(len(world.routes))
    expect(page.get_by_text("447700900999")).to_have_count(0)  # the rival's message

    page.get_by_label("Status").select_option("failed")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(2)
    expect(page.locator("table.log [data-status=failed]")).to_have_count(2)

    page.get_by_role("link", name="Clear").click()
    page.get_by_label("Route taken").select_option("cloud_api")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.log [data-route-taken=cloud_api]")).to_have_count(
        world.count("cloud_api")
    )
    expect(page.locator("table.log [data-route-taken=mm_api]")).to_have_count(0)

    page.get_by_role("link", name="Clear").click()
    page.get_by_label("Template").select_option("order_update")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    page.get_by_label("To (UTC)").fill("2001-01-01T00:00")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No messages match these filters.")).to_be_visible()

    read = next(w for w, final in world.final.items() if final == "read")
    page.goto(f"/hub/messages/{quote(read, safe='')}")
    steps = page.locator("ol.timeline [data-step]")
    expect(steps).to_have_count(5)
    assert [steps.nth(i).get_attribute("data-step") for i in range(5)] == [
        "accepted", "sent_upstream", "sent", "delivered", "read",
    ]  # fmt: skip
    deliveries = page.locator("article.delivery")
    expect(deliveries).to_have_count(3)
    for i, status in enumerate(("sent", "delivered", "read")):
        expect(deliveries.nth(i)).to_contain_text(f"status {status}")
        expect(deliveries.nth(i)).to_contain_text("HTTP 200")
    page.get_by_text("The client's request").click()
    expect(page.locator("pre.code")).to_contain_text('"marketing_text_no_param"')


def _gone_once(world: World, to: str) -> str:
    """Send while the receiver answers 410 Gone: the first status fails for good (and the
    endpoint is held), then the receiver is fixed."""
    receiver = world.receiver
    before = len(receiver.requests)
    receiver.answer_status = 410
    try:
        wamid = world.send(to, "mm_api")
        world.server.advance(60)
        receiver.wait_for_attempts(before + 1)
    finally:
        receiver.answer_status = 200
    return wamid


def test_webhook_log_shows_attempts_and_replays(page: Page, world: World) -> None:
    wamid = _gone_once(world, "441234567893")
    _tab(page, "Webhooks")
    # endpoint health (the first table; the log's rows may say "410 Gone" too: a delivery
    # failed without a request while the endpoint was held)
    health = page.locator("table:not(.log)").get_by_role("row")
    expect(health.filter(has_text="gone")).to_have_count(1)
    page.get_by_label("State").select_option("failed")
    page.get_by_role("button", name="Filter").click()
    # `sent` failed on the 410; `delivered` and `read` failed behind it, never attempted.
    failed = page.locator("table.log tbody tr[data-state=failed]")
    expect(failed).to_have_count(3)
    sent = failed.filter(has_text="status sent")
    expect(sent).to_have_count(1)
    delivery_id = sent.get_attribute("data-delivery-id")
    sent.get_by_role("button", name="Replay").click()
    expect(page.get_by_text("1 delivery queued again.")).to_be_visible()
    world.settle()  # the replayed status and the two held behind it reach the receiver

    page.goto(f"/hub/webhooks/{delivery_id}")
    attempts = page.locator("tr.attempt")
    expect(attempts).to_have_count(2)
    expect(attempts.first).to_contain_text("HTTP 410")
    expect(attempts.last).to_contain_text("HTTP 200")
    expect(page.locator("h1 [data-state]")).to_have_text("done")
    expect(page.get_by_role("link", name=wamid)).to_be_visible()
    page.get_by_role("link", name=wamid).click()
    expect(page.locator("article.delivery")).to_have_count(3)
    expect(page.locator("article.delivery").first).to_contain_text("HTTP 410")

    _gone_once(world, "441234567896")
    page.goto("/hub/webhooks")
    page.get_by_text("Replay failed deliveries").click()
    page.get_by_role("button", name="Replay all failed").click()
    expect(page.get_by_text("3 deliveries queued again.")).to_be_visible()
    world.settle()
    page.goto("/hub/webhooks?state=failed")
    expect(page.locator("table.log tbody tr[data-state]")).to_have_count(0)


def test_analytics_compares_mm_api_and_cloud_api(page: Page, world: World) -> None:
    _tab(page, "Analytics")
    expect(page.locator("svg.chart")).to_have_count(4)
    for route in ("mm_api", "cloud_api"):
        cell = page.locator(f"[data-cell={route}-accepted]")
        expect(cell).to_have_text(str(world.count(route)))
    expect(page.locator("[data-cell=mm_api-failed]")).to_contain_text("2")
    expect(page.locator("[data-cell=cloud_api-clicked]")).to_contain_text("n/a")
    rows = page.locator("table.per-template tbody tr[data-template]")
    expect(rows.filter(has_text="order_update")).to_have_count(1)
    expect(page.get_by_text("rival_secret_promo")).to_have_count(0)

    page.locator("select[name=template]").select_option("order_update")
    page.locator("select[name=days]").select_option("30")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("[data-cell=cloud_api-accepted]")).to_have_text("1")
    expect(page.locator("[data-cell=mm_api-accepted]")).to_have_text("0")
    expect(page.locator("[data-cell=mm_api-clicked]")).to_contain_text("n/a")


def test_sign_out_ends_the_session(browser: Browser, world: World) -> None:
    # The rival's user: signing out ends every session of the user who signs out.
    context = browser.new_context(base_url=world.server.base_url)
    page = context.new_page()
    chromium.sign_in(page, world.server.base_url, hs.RIVAL_EMAIL, hs.RIVAL_PASSWORD)
    expect(page.locator(".partner-name")).to_have_text("Rival Partner")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to the Partner Hub")).to_be_visible()
    page.goto("/hub/analytics")
    expect(page).to_have_url(f"{world.server.base_url}/hub/login?next=%2Fhub%2Fanalytics")
    context.close()
