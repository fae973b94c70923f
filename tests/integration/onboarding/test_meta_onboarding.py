"""Meta's side of onboarding, on the emulator alone: the intent API, accepting in
WhatsApp Manager, the set-up delay on the clock and the account_update webhooks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from mmgate.clock import SandboxClock
from mmgate.httpclient import NetworkClient
from mmgate.signing import verify
from tests.integration.onboarding import workspace as ws
from tests.integration.onboarding.conftest import Meta, start_meta
from tests.integration.onboarding.helpers import (
    GRAPH_AUTH,
    csrf_from,
    signed_waba_ids,
    terms_signed,
)
from tests.support import seed
from tests.support.receiver import Received, WebhookReceiver
from tests.support.shapes import mismatches, shape

pytestmark = pytest.mark.anyio


async def graph_fields(meta: Meta, object_id: str, fields: str) -> dict[str, Any]:
    response = await meta.http.get(
        f"/graph/v23.0/{object_id}", params={"fields": fields}, headers=GRAPH_AUTH
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def waba_status(meta: Meta, waba_id: str) -> str:
    body = await graph_fields(meta, waba_id, "marketing_messages_onboarding_status")
    status: str = body["marketing_messages_onboarding_status"]
    return status


async def terms(meta: Meta, business_id: str = ws.UNSIGNED_BUSINESS_ID) -> dict[str, str]:
    body = await graph_fields(meta, business_id, "marketing_messages_onboarding_status")
    found: dict[str, str] = body["marketing_messages_onboarding_status"]
    return found


async def intent(meta: Meta, business_id: str = ws.UNSIGNED_BUSINESS_ID) -> httpx.Response:
    return await meta.http.post(
        f"/graph/v24.0/{business_id}/onboard_partners_to_mm_lite", headers=GRAPH_AUTH
    )


async def login(meta: Meta, email: str, password: str) -> None:
    response = await meta.http.post(
        "/manager/login", data={"email": email, "password": password, "next": "/manager/"}
    )
    assert response.status_code == 303, response.text


async def wait_for_signed(receiver: WebhookReceiver, count: int) -> list[Received]:
    return await anyio.to_thread.run_sync(
        lambda: receiver.wait_for(lambda r: len(terms_signed(r)) >= count)
    )


async def answer_request(meta: Meta, request_id: str, action: str) -> httpx.Response:
    page = await meta.http.get("/manager/requests", params={"business_id": ws.UNSIGNED_BUSINESS_ID})
    assert f'data-request-id="{request_id}"' in page.text
    return await meta.http.post(
        f"/manager/requests/{request_id}", data={"csrf": csrf_from(page.text), "action": action}
    )


async def test_intent_request_accepted_by_an_admin_onboards_each_eligible_waba_once(
    meta: Meta, receiver: WebhookReceiver, conformance_dir: Path
) -> None:
    response = await intent(meta)
    assert response.status_code == 200
    request_id = response.json()["request_id"]
    assert response.json() == {"request_id": request_id} and request_id.isdigit()
    assert (await terms(meta))["status"] == "REQUEST_SENT"

    repeat = await intent(meta)
    assert repeat.status_code == 400
    error = repeat.json()["error"]
    assert (error["code"], error["message"]) == (1752041, "(#1752041) Duplicate Request")
    assert error["type"] == "OAuthException" and error["fbtrace_id"]

    await login(meta, ws.ADMIN_EMAIL, ws.ADMIN_PASSWORD)
    accepted = await answer_request(meta, request_id, "accept")
    assert accepted.status_code == 200 and "Terms accepted" in accepted.text
    signed = await terms(meta)
    assert signed["status"] == "TERM_OF_SERVICE_SIGNED" and signed["time"] == "2027-01-15"
    assert await waba_status(meta, ws.ELIGIBLE_WABA_ID) == "PENDING_INTERNAL_SETUP"
    for waba_id, (status, _, _) in ws.INELIGIBLE_WABAS.items():
        assert await waba_status(meta, waba_id) == status

    await meta.advance(ws.SETUP_DELAY - 1)
    assert await waba_status(meta, ws.ELIGIBLE_WABA_ID) == "PENDING_INTERNAL_SETUP"
    assert terms_signed(receiver.succeeded()) == []

    await meta.advance(1)
    requests = await wait_for_signed(receiver, 1)
    assert await waba_status(meta, ws.ELIGIBLE_WABA_ID) == "ONBOARDED"
    fields = await graph_fields(meta, ws.ELIGIBLE_WABA_ID, "marketing_messages_lite_api_status")
    assert fields["marketing_messages_lite_api_status"] == "ONBOARDED"

    [(entry, value)] = terms_signed(requests)
    assert entry["id"] == ws.PROVIDER_BUSINESS_ID  # the solution provider, not the WABA
    assert entry["time"] == int(meta.clock.now())
    assert value == {
        "event": "MM_LITE_TERMS_SIGNED",
        "waba_info": {
            "owner_business_id": ws.UNSIGNED_BUSINESS_ID,
            "waba_id": ws.ELIGIBLE_WABA_ID,
        },
    }
    webhook = next(r for r in requests if terms_signed([r]))
    assert verify(seed.APP_SECRET, webhook.body, webhook.headers["x-hub-signature-256"])
    recorded = json.loads((conformance_dir / "pywa-updates" / "account_update.json").read_text())
    sample = recorded["mm_api_for_wa_terms_of_service"]
    assert mismatches(webhook.json(), [sample]) == []
    assert shape(webhook.json()) == shape(sample)  # no key or type of Meta's is missing

    await meta.advance(3600)  # nothing else is due: never a webhook for an ineligible WABA
    assert signed_waba_ids(receiver.succeeded()) == [ws.ELIGIBLE_WABA_ID]


async def test_a_waba_added_later_to_a_signed_business_is_onboarded_once_eligible(
    meta: Meta, receiver: WebhookReceiver
) -> None:
    await login(meta, ws.ADMIN_EMAIL, ws.ADMIN_PASSWORD)
    review = await meta.http.get(
        "/manager/mm-terms", params={"business_id": ws.UNSIGNED_BUSINESS_ID}
    )
    assert review.status_code == 200 and ws.ELIGIBLE_WABA_ID in review.text
    accepted = await meta.http.post(
        f"/manager/mm-terms?business_id={ws.UNSIGNED_BUSINESS_ID}",
        data={"csrf": csrf_from(review.text)},
    )
    assert "Terms accepted" in accepted.text
    await meta.advance(ws.SETUP_DELAY)
    await wait_for_signed(receiver, 1)

    sandbox = {"X-Sandbox-Key": seed.SANDBOX_KEY}
    added = await meta.http.put(
        "/sandbox/wabas/200000000000010",
        json={"business_id": ws.UNSIGNED_BUSINESS_ID, "name": "New Branch"},
        headers=sandbox,
    )
    assert added.status_code == 201
    assert added.json()["marketing_messages_onboarding_status"] == "PENDING_INTERNAL_SETUP"
    restricted = await meta.http.put(
        "/sandbox/wabas/200000000000011",
        json={"business_id": ws.UNSIGNED_BUSINESS_ID, "name": "Flagged", "restricted": True},
        headers=sandbox,
    )
    status = restricted.json()["marketing_messages_onboarding_status"]
    assert status == "INELIGIBLE_INACTIVE_OR_RESTRICTED"

    await meta.advance(ws.SETUP_DELAY)
    await wait_for_signed(receiver, 2)
    assert await waba_status(meta, "200000000000010") == "ONBOARDED"
    await meta.advance(3600)
    assert signed_waba_ids(receiver.succeeded()) == [ws.ELIGIBLE_WABA_ID, "200000000000010"]

    lifted = await meta.http.put(
        "/sandbox/wabas/200000000000011", json={"restricted": False}, headers=sandbox
    )
    assert lifted.json()["marketing_messages_onboarding_status"] == "PENDING_INTERNAL_SETUP"
    await meta.advance(ws.SETUP_DELAY)
    requests = await wait_for_signed(receiver, 3)
    assert signed_waba_ids(requests)[-1] == "200000000000011"


async def test_intent_api_refuses_businesses_that_cannot_onboard(meta: Meta) -> None:
    for business_id in (ws.SANCTIONED_BUSINESS_ID, ws.SIGNED_BUSINESS_ID):
        response = await intent(meta, business_id)
        assert response.status_code == 400
        error = response.json()["error"]
        assert (error["code"], error["message"]) == (100, "(#100) Invalid recipient type")
        assert error["error_data"]["details"]
    unknown = await intent(meta, "123456789012345")
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == 100
    no_token = await meta.http.post(
        f"/graph/v23.0/{ws.UNSIGNED_BUSINESS_ID}/onboard_partners_to_mm_lite"
    )
    assert no_token.status_code == 401 and no_token.json()["error"]["code"] == 190
    assert (await terms(meta, ws.SANCTIONED_BUSINESS_ID))["status"] == "NOT_STARTED"


async def test_only_an_admin_of_the_business_can_accept(meta: Meta) -> None:
    request_id = (await intent(meta)).json()["request_id"]

    await login(meta, ws.EMPLOYEE_EMAIL, ws.EMPLOYEE_PASSWORD)
    listing = await meta.http.get(
        "/manager/requests", params={"business_id": ws.UNSIGNED_BUSINESS_ID}
    )
    assert "Only admins" in listing.text and 'value="accept"' not in listing.text
    refused = await meta.http.post(
        f"/manager/requests/{request_id}",
        data={"csrf": csrf_from(listing.text), "action": "accept"},
    )
    assert refused.status_code == 403 and "full control" in refused.text
    terms_page = await meta.http.get(
        "/manager/mm-terms", params={"business_id": ws.UNSIGNED_BUSINESS_ID}
    )
    assert terms_page.status_code == 403

    # The partner's own Meta login administers the partner's business, not the client's.
    await login(meta, ws.PARTNER_EMAIL, ws.PARTNER_PASSWORD)
    overview = await meta.http.get("/manager/")
    csrf = csrf_from(overview.text)
    as_partner = await meta.http.post(
        f"/manager/mm-terms?business_id={ws.UNSIGNED_BUSINESS_ID}", data={"csrf": csrf}
    )
    assert as_partner.status_code == 404
    answer = await meta.http.post(
        f"/manager/requests/{request_id}", data={"csrf": csrf, "action": "accept"}
    )
    assert answer.status_code == 404
    assert (await terms(meta))["status"] == "REQUEST_SENT"

    # Without a Meta login there is nothing to accept with, whatever else one holds.
    meta.http.cookies.clear()
    anonymous = await meta.http.post(
        f"/manager/requests/{request_id}", data={"action": "accept"}, headers=GRAPH_AUTH
    )
    assert anonymous.status_code == 303 and "/manager/login" in anonymous.headers["location"]
    assert (await terms(meta))["status"] == "REQUEST_SENT"


async def test_a_rejected_request_can_be_sent_again(meta: Meta) -> None:
    first = (await intent(meta)).json()["request_id"]
    await login(meta, ws.ADMIN_EMAIL, ws.ADMIN_PASSWORD)
    rejected = await answer_request(meta, first, "reject")
    assert "Request rejected" in rejected.text
    assert (await terms(meta))["status"] == "NOT_STARTED"
    again = await answer_request(meta, first, "accept")
    assert again.status_code == 409
    second = await intent(meta)
    assert second.status_code == 200 and second.json()["request_id"] != first


async def test_partner_lists_client_wabas_by_onboarding_status(meta: Meta) -> None:
    async def listed(*filters: dict[str, Any], fields: str | None = None) -> list[Any]:
        params = {"filtering": json.dumps(list(filters))}
        if fields:
            params["fields"] = fields
        response = await meta.http.get(
            f"/graph/v23.0/{ws.PROVIDER_BUSINESS_ID}/client_whatsapp_business_accounts",
            params=params,
            headers=GRAPH_AUTH,
        )
        assert response.status_code == 200, response.text
        data: list[Any] = response.json()["data"]
        return data

    status = "marketing_messages_onboarding_status"
    eligible = await listed({"field": status, "operator": "IN", "value": ["ELIGIBLE"]})
    assert [w["id"] for w in eligible] == [ws.ELIGIBLE_WABA_ID]
    assert set(eligible[0]) == {"id", "name", "timezone_id", "message_template_namespace"}
    onboarded = await listed({"field": status, "operator": "EQUAL", "value": "ONBOARDED"})
    assert [w["id"] for w in onboarded] == [ws.SIGNED_WABA_ID]
    lite = await listed(
        {"field": status, "operator": "NOT_IN", "value": ["ELIGIBLE", "ONBOARDED"]},
        fields="marketing_messages_lite_api_status",
    )
    assert {w["id"] for w in lite} == {*ws.INELIGIBLE_WABAS, ws.SANCTIONED_WABA_ID}
    assert {w["marketing_messages_lite_api_status"] for w in lite} == {"INELIGIBLE"}

    bad = await meta.http.get(
        f"/graph/v23.0/{ws.PROVIDER_BUSINESS_ID}/client_whatsapp_business_accounts",
        params={"filtering": "[{]"},
        headers=GRAPH_AUTH,
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == 100
    owner = await graph_fields(meta, ws.SIGNED_WABA_ID, "owner_business_info")
    assert owner["owner_business_info"]["marketing_messages_onboarding_status"]["status"] == (
        "TERM_OF_SERVICE_SIGNED"
    )
    assert owner["id"] == ws.SIGNED_WABA_ID


async def test_set_up_still_pending_at_a_restart_completes_after_it(
    receiver: WebhookReceiver, tmp_path: Path
) -> None:
    clock = SandboxClock(frozen_at=1_800_000_000.0)
    world_path = tmp_path / "world.json"
    http = NetworkClient()
    try:
        # Signed on a "Meta" that stops before the set-up is due: its schedule is lost.
        before, client = await start_meta(receiver, world_path, clock, http, run=False)
        meta = Meta(before, clock, client, world_path)
        await intent(meta)
        await login(meta, ws.ADMIN_EMAIL, ws.ADMIN_PASSWORD)
        listing = await client.get(
            "/manager/requests", params={"business_id": ws.UNSIGNED_BUSINESS_ID}
        )
        request_id = listing.text.split('data-request-id="')[1].split('"')[0]
        assert "Terms accepted" in (await answer_request(meta, request_id, "accept")).text
        await client.aclose()

        after, client = await start_meta(receiver, world_path, clock, http)
        try:
            await Meta(after, clock, client, world_path).advance(ws.SETUP_DELAY)
            requests = await wait_for_signed(receiver, 1)
            assert signed_waba_ids(requests) == [ws.ELIGIBLE_WABA_ID]
        finally:
            await client.aclose()
            await after.stop()
    finally:
        await http.aclose()
