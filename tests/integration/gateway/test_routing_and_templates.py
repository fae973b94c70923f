"""Partner routing setting, the decision table end to end, and template knowledge."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support import seed
from tests.support.inprocess import InProcessApp
from tests.support.receiver import Received, WebhookReceiver, statuses

pytestmark = pytest.mark.anyio

PARTNER = f"/api/v2/partners/{seed.PARTNER_ID}"
PARTNER_HEADERS = {"X-API-Key": seed.PARTNER_KEY}
GRAPH = {"Authorization": f"Bearer {seed.GRAPH_TOKEN}"}


def _wamid(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    wamid: str = response.json()["messages"][0]["id"]
    return wamid


async def _final(app: InProcessApp, receiver: WebhookReceiver, wamid: str) -> list[dict[str, Any]]:
    await app.advance(60)
    await receiver.wait_for_async(
        lambda r: any(s["id"] == wamid and s["status"] in ("read", "failed") for s in statuses(r))
    )
    return [s for s in statuses(receiver.succeeded()) if s["id"] == wamid]


def _template(name: str, params: list[str] | None = None) -> dict[str, Any]:
    template: dict[str, Any] = {"name": name, "language": {"policy": "deterministic", "code": "en"}}
    if params:
        template["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}
        ]
    return {**seed.SEED_EXAMPLE, "template": template}


def _events(received: list[Received], field: str) -> list[dict[str, Any]]:
    return [
        change["value"]
        for r in received
        for entry in r.json()["entry"]
        for change in entry["changes"]
        if change["field"] == field
    ]


async def test_partner_api_envelope_and_tenancy(app: InProcessApp) -> None:
    ok = await app.http.get(PARTNER, headers=PARTNER_HEADERS)
    assert ok.status_code == 200
    body = ok.json()
    assert body["status_code"] == 200 and body["meta"]["success"] is True
    assert body["data"]["settings"]["marketing_templates_routing"] == {"enabled": True}
    assert body["data"]["onboarding_link"].startswith(app.base_url + "/onboard/")

    wrong_key = await app.http.get(PARTNER, headers={"X-API-Key": "nope"})
    assert wrong_key.status_code == 401 and wrong_key.json()["meta"]["success"] is False
    other = await app.http.get("/api/v2/partners/pt_other", headers=PARTNER_HEADERS)
    assert other.status_code == 403
    assert other.json()["meta"]["developer_message"] == "Permission denied for partner pt_other"
    channel_key = await app.http.get(PARTNER, headers={"X-API-Key": seed.CHANNEL_KEY})
    assert channel_key.status_code == 401

    clients = (await app.http.get(PARTNER + "/clients", headers=PARTNER_HEADERS)).json()["data"]
    assert {c["business_id"] for c in clients["clients"]} >= {seed.BUSINESS_ID}
    channels = (await app.http.get(PARTNER + "/channels", headers=PARTNER_HEADERS)).json()["data"]
    assert seed.PHONE_NUMBER_ID in {c["phone_number_id"] for c in channels["channels"]}


async def test_routing_setting_switches_messages_between_mm_and_cloud(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    routing = PARTNER + "/settings/marketing_templates_routing"
    off = await app.http.patch(routing, json={"enabled": False}, headers=PARTNER_HEADERS)
    assert off.status_code == 200 and off.json()["data"] == {"enabled": False}
    assert (await app.http.get(PARTNER + "/settings", headers=PARTNER_HEADERS)).json()["data"] == {
        "marketing_templates_routing": {"enabled": False}
    }

    cloud = _wamid(await app.send(seed.SEED_EXAMPLE, path="/messages"))
    assert (await _final(app, receiver, cloud))[0]["pricing"]["category"] == "marketing"
    assert (await app.message(cloud))["route_requested"] == "cloud_api"

    await app.http.patch(routing, json={"enabled": True}, headers=PARTNER_HEADERS)
    mm = _wamid(await app.send(seed.SEED_EXAMPLE, path="/messages"))
    assert (await _final(app, receiver, mm))[0]["pricing"]["category"] == "marketing_lite"
    assert (await app.message(mm))["route_taken"] == "mm_api"

    bad = await app.http.patch(routing, json={"enabled": "yes"}, headers=PARTNER_HEADERS)
    assert bad.status_code == 400 and bad.json()["meta"]["success"] is False


async def test_disable_marketing_on_cloud_api_refuses_the_fallback(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url, key=seed.OTHER_CHANNEL_KEY)
    flag = await app.http.post(
        f"/graph/v23.0/{seed.OTHER_WABA_ID}",
        json={"disable_marketing_messages_on_cloud_api": True},
        headers=GRAPH,
    )
    assert flag.json() == {"id": seed.OTHER_WABA_ID}

    response = await app.send(seed.SEED_EXAMPLE, key=seed.OTHER_CHANNEL_KEY)
    if response.status_code == 200:  # the gateway did not know the WABA's facts: Meta refuses
        got = await _final(app, receiver, _wamid(response))
        assert got[-1]["errors"][0]["code"] == 131063
    else:
        assert response.json()["detail"]["error"]["code"] == 131063


async def test_new_marketing_template_syncs_for_ten_minutes(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.http.patch(PARTNER, json={"webhook_url": receiver.url}, headers=PARTNER_HEADERS)
    created = await app.http.post(
        "/v1/configs/templates",
        json={
            "name": "winter_sale",
            "language": "en",
            "category": "MARKETING",
            "components": [{"type": "BODY", "text": "Winter sale starts now."}],
        },
        headers={"D360-API-KEY": seed.CHANNEL_KEY},
    )
    assert created.status_code == 200, created.text
    assert created.json()["status"] == "PENDING"
    await app.advance(1)  # the review (auto-approve) happens on the clock
    approved = await receiver.wait_for_async(
        lambda r: _events(r, "message_template_status_update") != []
    )
    event = _events(approved, "message_template_status_update")[0]
    assert (event["event"], event["message_template_name"]) == ("APPROVED", "winter_sale")
    assert isinstance(event["message_template_id"], int)

    syncing = await app.send(_template("winter_sale"))
    assert syncing.status_code == 400
    assert syncing.json()["detail"]["error"]["code"] == 134101
    await app.advance(601)
    assert (await app.send(_template("winter_sale"))).status_code == 200

    listed = await app.http.get("/v1/configs/templates", headers={"D360-API-KEY": seed.CHANNEL_KEY})
    names = {t["name"] for t in listed.json()["waba_templates"]}
    assert {"winter_sale", "marketing_text_no_param"} <= names


async def test_recategorised_template_changes_route_and_paused_template_is_refused(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.http.patch(PARTNER, json={"webhook_url": receiver.url}, headers=PARTNER_HEADERS)
    sandbox = {"X-Sandbox-Key": seed.SANDBOX_KEY}
    utility = _template("order_update", ["A-100"])
    assert (await app.send(utility)).json()["detail"]["error"]["code"] == 134100

    (
        await app.http.post(
            f"/sandbox/templates/{seed.WABA_ID}/order_update/en",
            json={"category": "MARKETING"},
            headers=sandbox,
        )
    ).raise_for_status()
    await app.advance(1)
    changed = await receiver.wait_for_async(lambda r: _events(r, "template_category_update") != [])
    assert _events(changed, "template_category_update")[0]["new_category"] == "MARKETING"
    assert (await app.send(utility)).status_code == 200  # now a marketing template: MM accepts it

    (
        await app.http.post(
            f"/sandbox/templates/{seed.WABA_ID}/marketing_text_no_param/en",
            json={"status": "PAUSED"},
            headers=sandbox,
        )
    ).raise_for_status()
    await app.advance(1)
    await receiver.wait_for_async(
        lambda r: any(
            e.get("event") == "PAUSED" for e in _events(r, "message_template_status_update")
        )
    )
    paused = await app.send(seed.SEED_EXAMPLE)
    assert paused.status_code == 400
    assert paused.json()["detail"]["error"]["code"] == 132015


async def test_region_rules(app: InProcessApp, receiver: WebhookReceiver) -> None:
    await app.set_webhook(receiver.url)
    sanctioned = await app.send({**seed.SEED_EXAMPLE, "to": "5351234567"})
    assert sanctioned.status_code == 403
    assert sanctioned.json()["detail"]["error"]["code"] == 130497

    us = _wamid(await app.send({**seed.SEED_EXAMPLE, "to": "16505551234"}))
    got = await _final(app, receiver, us)
    assert [s["status"] for s in got] == ["failed"]
    assert got[0]["errors"][0]["code"] == 131049
