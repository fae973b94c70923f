"""Click webhooks (reference §6.3): the exact documented shape, only for MM API sends
within 7 days, honouring `message_activity_sharing`; the 0003 test number taps by
itself; `/sandbox/messages/{wamid}/click` taps on demand."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.integration.emulator.support import (
    SANDBOX,
    body_link,
    click_async,
    clicks,
    offer,
    send_async,
    stats_async,
)
from tests.support import seed
from tests.support.inprocess import InProcessApp
from tests.support.receiver import Received, WebhookReceiver, statuses

pytestmark = pytest.mark.anyio

DAY = 86400


async def _read(receiver: WebhookReceiver, wamid: str) -> list[Received]:
    return await receiver.wait_for_async(
        lambda got: any(s["id"] == wamid and s["status"] == "read" for s in statuses(got))
    )


def _click_data(got: list[Received], click_id: str) -> dict[str, Any]:
    for found in clicks(got):
        data: dict[str, Any] = found["change"]["value"]["user_actions"][0][
            "marketing_messages_link_click_data"
        ]
        if data["click_id"] == click_id:
            return data
    raise AssertionError(f"no click webhook with click_id {click_id}")


async def test_0003_taps_the_cta_after_the_read_and_meta_reports_it_in_the_documented_shape(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    wamid = await send_async(app, offer("441234560003"))

    await app.advance(60)
    got = await receiver.wait_for_async(lambda r: len(clicks(r)) == 1)

    (found,) = clicks(got)
    assert found["entry"]["id"] == seed.WABA_ID
    assert found["change"]["field"] == "messages"
    value = found["change"]["value"]
    assert set(value) == {"messaging_product", "metadata", "user_actions"}  # no contacts
    assert value["messaging_product"] == "whatsapp"
    assert value["metadata"] == {
        "display_phone_number": "15550001111",
        "phone_number_id": seed.PHONE_NUMBER_ID,
    }
    (action,) = value["user_actions"]
    assert set(action) == {"action_type", "timestamp", "marketing_messages_link_click_data"}
    assert action["action_type"] == "marketing_messages_link_click"
    assert isinstance(action["timestamp"], str) and action["timestamp"].isdigit()
    data = action["marketing_messages_link_click_data"]
    assert set(data) == {"click_component", "click_id", "tracking_token"}
    assert data["click_component"] == "cta"
    assert all(isinstance(data[k], str) and data[k] for k in ("click_id", "tracking_token"))
    click_entry = json.dumps(found["entry"])
    assert (
        "wamid" not in click_entry and "441234560003" not in click_entry
    )  # no message id, no recipient
    await _read(receiver, wamid)  # the user read it, then tapped


async def test_a_sandbox_tap_by_the_gateway_wamid_visits_the_url_with_the_click_id(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    wamid = await send_async(app, offer("441234567890"))
    await app.advance(60)
    await _read(receiver, wamid)

    first, second = await click_async(app, wamid), await click_async(app, wamid, "cta")

    assert first.status_code == 200, first.text
    tap = first.json()
    assert (tap["webhook"], tap["reason"], tap["component"]) == (True, None, "cta")
    url = urlsplit(tap["url"])
    assert (url.scheme, url.netloc, url.path) == ("https", "shop.example.com", "/offer/A-42")
    assert parse_qs(url.query) == {"click_id": [tap["click_id"]]}
    assert tap["meta_wamid"] != wamid  # Meta's wamid differs from the gateway's
    got = await receiver.wait_for_async(lambda r: len(clicks(r)) == 2)
    one, two = _click_data(got, tap["click_id"]), _click_data(got, second.json()["click_id"])
    assert one["click_id"] != two["click_id"]
    assert one["tracking_token"] == two["tracking_token"]  # one token per message
    # Meta's own wamid is accepted too.
    assert (await click_async(app, tap["meta_wamid"])).json()["webhook"] is True
    assert (await stats_async(app))["clicks_reported"] == 3


async def test_a_link_in_the_body_is_the_body_component(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    wamid = await send_async(app, body_link("441234567891"))
    await app.advance(60)
    await _read(receiver, wamid)

    tap = await click_async(app, wamid, "body")
    no_button = await click_async(app, wamid, "cta")

    assert tap.status_code == 200
    assert tap.json()["url"].startswith("https://shop.example.com/sale?click_id=")
    got = await receiver.wait_for_async(lambda r: len(clicks(r)) == 1)
    assert _click_data(got, tap.json()["click_id"])["click_component"] == "body"
    assert no_button.status_code == 409
    assert "no cta link" in no_button.json()["error"]["message"]


async def test_taps_on_cloud_api_messages_produce_no_webhook(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url, key=seed.OTHER_CHANNEL_KEY)
    # Not onboarded: Meta falls back to Cloud API, where clicks are not reported.
    tapper = await send_async(app, offer("441234560003"), key=seed.OTHER_CHANNEL_KEY)
    other = await send_async(app, offer("441234567892"), key=seed.OTHER_CHANNEL_KEY)
    await app.advance(60)
    await _read(receiver, tapper)
    await _read(receiver, other)
    await app.advance(0)  # settles: the 0003 user's automatic tap has happened

    tap = await click_async(app, other)

    assert tap.status_code == 200
    assert (tap.json()["webhook"], tap.json()["url"].count("click_id=")) == (False, 1)
    assert "Cloud API" in tap.json()["reason"]
    assert (await app.message(tapper, key=seed.OTHER_CHANNEL_KEY))["route_taken"] == "cloud_api"
    assert (await stats_async(app))["clicks_reported"] == 0
    assert clicks(receiver.succeeded()) == []


async def test_clicks_are_reported_for_seven_days_after_the_send_only(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    old = await send_async(app, offer("441234560002"))  # delivered, never read by itself
    await app.advance(6 * DAY)
    recent = await send_async(app, offer("441234560002"))
    await app.advance(DAY + 1)  # `old` was sent 7 days and 1 s ago, `recent` 1 day ago

    late, in_time = await click_async(app, old), await click_async(app, recent)

    assert (late.status_code, late.json()["webhook"]) == (200, False)
    assert "7 days" in late.json()["reason"]
    assert in_time.json()["webhook"] is True
    got = await receiver.wait_for_async(lambda r: len(clicks(r)) == 1)
    assert _click_data(got, in_time.json()["click_id"])
    # The tap opened the chat: both messages are read now.
    await _read(receiver, old)
    await _read(receiver, recent)
    assert (await stats_async(app))["clicks_reported"] == 1


async def test_message_activity_sharing_false_turns_the_click_webhook_off(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    off = await send_async(app, offer("441234567893", sharing=False))
    default = await send_async(app, offer("441234567894", sharing=None))
    await app.advance(60)
    await _read(receiver, off)
    await _read(receiver, default)

    refused, shared = await click_async(app, off), await click_async(app, default)

    assert refused.json()["webhook"] is False
    assert "message_activity_sharing" in refused.json()["reason"]
    assert shared.json()["webhook"] is True
    assert (await stats_async(app))["clicks_reported"] == 1


async def test_a_tap_needs_the_message_on_the_phone(app: InProcessApp) -> None:
    never_online = await send_async(app, offer("441234560009"))
    await app.advance(60)

    assert (await click_async(app, never_online)).status_code == 409
    assert (await click_async(app, "wamid.unknown")).status_code == 404
    assert (await click_async(app, never_online, "elsewhere")).status_code == 409
    unauthorised = await app.http.post(f"/sandbox/messages/{never_online}/click")
    assert unauthorised.status_code == 401
    bad = await app.http.post(
        f"/sandbox/messages/{never_online}/click", content=b"{", headers=SANDBOX
    )
    assert bad.status_code == 400
