"""Through the real server: the partner invites its client with the intent API, the
client's admin accepts, the confirmation reaches the partner's webhook and the client's
marketing sends change from Cloud API to MM API."""

from __future__ import annotations

import pytest

from mmgate.signing import verify_delivery
from tests.integration.onboarding import workspace as ws
from tests.integration.onboarding.helpers import (
    GRAPH_AUTH,
    client_mm_statuses_async,
    csrf_from,
    send_category_async,
    set_partner_webhook_async,
    signed_waba_ids,
    terms_signed,
)
from tests.support import seed
from tests.support.inprocess import InProcessApp
from tests.support.receiver import WebhookReceiver

pytestmark = pytest.mark.anyio


async def test_intent_request_accepted_confirms_to_the_partner_and_sends_go_via_mm(
    onboarding_app: InProcessApp,
    receiver: WebhookReceiver,
    partner_receiver: WebhookReceiver,
) -> None:
    app = onboarding_app
    await set_partner_webhook_async(app, partner_receiver.url)
    await app.set_webhook(receiver.url, key=ws.ELIGIBLE_CHANNEL_KEY)

    assert await send_category_async(app, receiver, ws.ELIGIBLE_CHANNEL_KEY) == "marketing"
    strict = await app.send(
        {**seed.SEED_EXAMPLE, "product_policy": "STRICT"}, key=ws.ELIGIBLE_CHANNEL_KEY
    )
    assert strict.status_code >= 400
    assert strict.json()["detail"]["error"]["code"] == 134102

    invited = await onboarding_app.http.post(
        f"/graph/v23.0/{ws.UNSIGNED_BUSINESS_ID}/onboard_partners_to_mm_lite", headers=GRAPH_AUTH
    )
    assert invited.status_code == 200, invited.text
    request_id = invited.json()["request_id"]

    async with onboarding_app.browser() as browser:
        login = await browser.post(
            "/manager/login",
            data={"email": ws.ADMIN_EMAIL, "password": ws.ADMIN_PASSWORD, "next": "/manager/"},
        )
        assert login.status_code == 303
        listing = await browser.get(
            "/manager/requests", params={"business_id": ws.UNSIGNED_BUSINESS_ID}
        )
        accepted = await browser.post(
            f"/manager/requests/{request_id}",
            data={"csrf": csrf_from(listing.text), "action": "accept"},
        )
        assert "Terms accepted" in accepted.text

    await app.advance(ws.SETUP_DELAY)
    requests = await partner_receiver.wait_for_async(lambda r: len(terms_signed(r)) >= 1)
    webhook = next(r for r in requests if terms_signed([r]))
    assert verify_delivery(
        seed.PARTNER_SECRET,
        int(webhook.headers["x-mmgate-timestamp"]),
        webhook.body,
        webhook.headers["x-mmgate-signature-256"],
        now=float(webhook.headers["x-mmgate-timestamp"]),
    )
    [(entry, value)] = terms_signed(requests)
    assert entry["id"] == ws.PROVIDER_BUSINESS_ID
    assert value["waba_info"] == {
        "owner_business_id": ws.UNSIGNED_BUSINESS_ID,
        "waba_id": ws.ELIGIBLE_WABA_ID,
    }
    assert (await client_mm_statuses_async(app))[ws.ELIGIBLE_WABA_ID] == "ONBOARDED"

    assert await send_category_async(app, receiver, ws.ELIGIBLE_CHANNEL_KEY, "441234567899") == (
        "marketing_lite"
    )
    await app.advance(3600)
    assert signed_waba_ids(partner_receiver.succeeded()) == [ws.ELIGIBLE_WABA_ID]
