"""The Hub's paper cuts: ineligible WABAs say why, the Integration tab tells the truth
about /marketing_messages, the webhook log pages and shows retrying deliveries."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.integration.ui import hub_support as hs
from tests.support import seed
from tests.support.inprocess import InProcessApp, in_process_app
from tests.support.receiver import WebhookReceiver, statuses

pytestmark = pytest.mark.anyio


async def _signed_in(app: InProcessApp, email: str, password: str) -> hs.AsyncHubClient:
    hub = hs.AsyncHubClient(app)
    assert (await hub.login(email, password)).status_code == 303
    return hub


async def test_clients_say_why_a_waba_is_not_eligible(tmp_path: Path) -> None:
    # No seed: the demo workspace, with restricted and VE WABAs.
    async with in_process_app(tmp_path, seed_path=None) as app:
        user = json.loads((tmp_path / "data" / "workspace.json").read_text())["hub_users"][0]
        hub = await _signed_in(app, user["email"], user["password"])
        page = (await hub.get("/hub/clients")).text
        await hub.aclose()
    assert "Not known yet" not in page
    assert "Not eligible: inactive or restricted" in page
    assert "Not eligible: country not supported" in page


async def test_integration_says_marketing_messages_can_fall_back(app: InProcessApp) -> None:
    await hs.add_hub_user_async(app, seed.PARTNER_ID, hs.EMAIL, hs.PASSWORD)
    hub = await _signed_in(app, hs.EMAIL, hs.PASSWORD)
    page = (await hub.get("/hub/integration")).text
    await hub.aclose()
    assert "always use the\n        MM API" not in page and "always use the MM API" not in page
    assert "falls back to the Cloud" in page


async def test_the_webhook_log_pages_and_shows_deliveries_being_retried(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await hs.add_hub_user_async(app, seed.PARTNER_ID, hs.EMAIL, hs.PASSWORD)
    await app.set_webhook(receiver.url)
    for i in range(40):
        assert (await app.send({**seed.SEED_EXAMPLE, "to": f"4478{i:04d}5678"})).status_code == 200
    await app.advance(60)
    # sent, delivered, read of each (several to a request: they are due together)
    await receiver.wait_for_async(lambda got: len(statuses(got)) >= 120)
    receiver.answer_status = 503
    before = len(receiver.requests)
    assert (await app.send(seed.SEED_EXAMPLE)).status_code == 200
    await app.advance(60)
    await receiver.wait_for_attempts_async(before + 1)
    await app.advance(1)  # the failed attempt is recorded before this move
    hub = await _signed_in(app, hs.EMAIL, hs.PASSWORD)
    try:
        retrying = (await hub.get("/hub/webhooks", state="retrying")).text
        failed = (await hub.get("/hub/webhooks", state="failed")).text
        first = (await hub.get("/hub/webhooks")).text
        second = (await hub.get("/hub/webhooks", page="2")).text
    finally:
        await hub.aclose()
    rows = re.compile(r'data-delivery-id="(\d+)"')
    assert len(rows.findall(retrying)) >= 1 and rows.findall(failed) == []
    assert len(rows.findall(first)) == 100 and "Older" in first
    assert rows.findall(second) and not set(rows.findall(first)) & set(rows.findall(second))
