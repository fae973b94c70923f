"""Small helpers shared by the onboarding and browser tests."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.support import seed
from tests.support.inprocess import InProcessApp
from tests.support.receiver import Received, WebhookReceiver, statuses
from tests.support.server import ServerProcess

GRAPH_AUTH = {"Authorization": f"Bearer {seed.GRAPH_TOKEN}"}
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_from(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "no CSRF field on the page"
    return found.group(1)


def terms_signed(requests: list[Received]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(entry, value) of every MM_LITE_TERMS_SIGNED account_update in the requests."""
    found = []
    for request in requests:
        body = request.json()
        for entry in body.get("entry", []):
            for change in entry.get("changes", []):
                value = change.get("value", {})
                if change.get("field") == "account_update" and (
                    value.get("event") == "MM_LITE_TERMS_SIGNED"
                ):
                    found.append((entry, value))
    return found


def signed_waba_ids(requests: list[Received]) -> list[str]:
    return [value["waba_info"]["waba_id"] for _, value in terms_signed(requests)]


def set_partner_webhook(server: ServerProcess, url: str) -> None:
    response = server.http.patch(
        f"/api/v2/partners/{seed.PARTNER_ID}",
        json={"webhook_url": url},
        headers={"X-API-Key": seed.PARTNER_KEY},
    )
    assert response.status_code == 200, response.text


def send_category(
    server: ServerProcess, receiver: WebhookReceiver, key: str, to: str = "441234567890"
) -> str:
    """Send the seed example through the gateway; the pricing.category Meta reports."""
    response = server.send({**seed.SEED_EXAMPLE, "to": to}, key=key)
    assert response.status_code == 200, response.text
    wamid = response.json()["messages"][0]["id"]
    server.advance(60)

    def priced(requests: list[Received]) -> bool:
        return any(s["id"] == wamid and "pricing" in s for s in statuses(requests))

    found = [s for s in statuses(receiver.wait_for(priced)) if s["id"] == wamid]
    category: str = next(s for s in found if "pricing" in s)["pricing"]["category"]
    return category


def mm_statuses(response: httpx.Response) -> dict[str, str | None]:
    """WABA id -> MM status, from the Partner API's list of the partner's clients."""
    assert response.status_code == 200, response.text
    return {
        waba["id"]: waba["marketing_messages_onboarding_status"]
        for client in response.json()["data"]["clients"]
        for waba in client["wabas"]
    }


def client_mm_statuses(server: ServerProcess) -> dict[str, str | None]:
    """WABA id -> MM status, as the Partner API lists the partner's clients."""
    response = server.http.get(
        f"/api/v2/partners/{seed.PARTNER_ID}/clients", headers={"X-API-Key": seed.PARTNER_KEY}
    )
    return mm_statuses(response)


# The same for the app in process (tests/support/inprocess.py).


async def set_partner_webhook_async(app: InProcessApp, url: str) -> None:
    response = await app.http.patch(
        f"/api/v2/partners/{seed.PARTNER_ID}",
        json={"webhook_url": url},
        headers={"X-API-Key": seed.PARTNER_KEY},
    )
    assert response.status_code == 200, response.text


async def send_category_async(
    app: InProcessApp, receiver: WebhookReceiver, key: str, to: str = "441234567890"
) -> str:
    """Send the seed example through the gateway; the pricing.category Meta reports."""
    response = await app.send({**seed.SEED_EXAMPLE, "to": to}, key=key)
    assert response.status_code == 200, response.text
    wamid = response.json()["messages"][0]["id"]
    await app.advance(60)

    def priced(requests: list[Received]) -> bool:
        return any(s["id"] == wamid and "pricing" in s for s in statuses(requests))

    found = [s for s in statuses(await receiver.wait_for_async(priced)) if s["id"] == wamid]
    category: str = next(s for s in found if "pricing" in s)["pricing"]["category"]
    return category


async def client_mm_statuses_async(app: InProcessApp) -> dict[str, str | None]:
    """WABA id -> MM status, as the Partner API lists the partner's clients."""
    response = await app.http.get(
        f"/api/v2/partners/{seed.PARTNER_ID}/clients", headers={"X-API-Key": seed.PARTNER_KEY}
    )
    return mm_statuses(response)
