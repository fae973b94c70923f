"""The Hub's paper cuts: ineligible WABAs say why, the Integration tab tells the truth
about /marketing_messages, the webhook log pages and shows retrying deliveries."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.integration.ui import hub_support as hs
from tests.support import seed
from tests.support.receiver import WebhookReceiver
from tests.support.server import ServerProcess


def _signed_in(server: ServerProcess, email: str, password: str) -> hs.HubClient:
    hub = hs.HubClient(server)
    assert hub.login(email, password).status_code == 303
    return hub


def test_clients_say_why_a_waba_is_not_eligible(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", None)  # the demo: restricted and VE WABAs
    try:
        user = json.loads((tmp_path / "data" / "workspace.json").read_text())["hub_users"][0]
        hub = _signed_in(server, user["email"], user["password"])
        page = hub.get("/hub/clients").text
        hub.close()
    finally:
        server.stop()
    assert "Not known yet" not in page
    assert "Not eligible: inactive or restricted" in page
    assert "Not eligible: country not supported" in page


def test_integration_says_marketing_messages_can_fall_back(server: ServerProcess) -> None:
    assert hs.add_hub_user(server, seed.PARTNER_ID, hs.EMAIL, hs.PASSWORD).returncode == 0
    hub = _signed_in(server, hs.EMAIL, hs.PASSWORD)
    page = hub.get("/hub/integration").text
    hub.close()
    assert "always use the\n        MM API" not in page and "always use the MM API" not in page
    assert "falls back to the Cloud" in page


def test_the_webhook_log_pages_and_shows_deliveries_being_retried(
    server: ServerProcess, receiver: WebhookReceiver
) -> None:
    assert hs.add_hub_user(server, seed.PARTNER_ID, hs.EMAIL, hs.PASSWORD).returncode == 0
    server.set_webhook(receiver.url)
    for i in range(40):
        assert server.send({**seed.SEED_EXAMPLE, "to": f"4478{i:04d}5678"}).status_code == 200
    server.advance(60)
    receiver.wait_for(lambda got: len(got) >= 120)  # sent, delivered, read of each
    receiver.answer_status = 503
    assert server.send(seed.SEED_EXAMPLE).status_code == 200
    server.advance(60)
    receiver.wait_for_attempts(121)
    server.advance(1)  # the failed attempt is recorded before this move
    hub = _signed_in(server, hs.EMAIL, hs.PASSWORD)
    try:
        retrying = hub.get("/hub/webhooks", state="retrying").text
        failed = hub.get("/hub/webhooks", state="failed").text
        first = hub.get("/hub/webhooks").text
        second = hub.get("/hub/webhooks", page="2").text
    finally:
        hub.close()
    rows = re.compile(r'data-delivery-id="(\d+)"')
    assert len(rows.findall(retrying)) >= 1 and rows.findall(failed) == []
    assert len(rows.findall(first)) == 100 and "Older" in first
    assert rows.findall(second) and not set(rows.findall(first)) & set(rows.findall(second))
