"""Click webhooks (reference §6.3): the exact documented shape, only for MM API sends
within 7 days, honouring `message_activity_sharing`; the 0003 test number taps by
itself; `/sandbox/messages/{wamid}/click` taps on demand."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.integration.emulator.support import (
    SANDBOX,
    body_link,
    click,
    clicks,
    offer,
    send,
    stats,
)
from tests.support import seed
from tests.support.receiver import Received, WebhookReceiver, statuses
from tests.support.server import ServerProcess

DAY = 86400


def _read(receiver: WebhookReceiver, wamid: str) -> list[Received]:
    return receiver.wait_for(
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


def test_0003_taps_the_cta_after_the_read_and_meta_reports_it_in_the_documented_shape(
    server: ServerProcess, receiver: WebhookReceiver
) -> None:
    server.set_webhook(receiver.url)
    wamid = send(server, offer("441234560003"))

    server.advance(60)
    got = receiver.wait_for(lambda r: len(clicks(r)) == 1)

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
    click_request = next(r for r in got if b"user_actions" in r.body)
    assert b"wamid" not in click_request.body  # no message id, no recipient
    assert b"441234560003" not in click_request.body
    _read(receiver, wamid)  # the user read it, then tapped


def test_a_sandbox_tap_by_the_gateway_wamid_visits_the_url_with_the_click_id(
    server: ServerProcess, receiver: WebhookReceiver
) -> None:
    server.set_webhook(receiver.url)
    wamid = send(server, offer("441234567890"))
    server.advance(60)
    _read(receiver, wamid)

    first, second = click(server, wamid), click(server, wamid, "cta")

    assert first.status_code == 200, first.text
    tap = first.json()
    assert (tap["webhook"], tap["reason"], tap["component"]) == (True, None, "cta")
    url = urlsplit(tap["url"])
    assert (url.scheme, url.netloc, url.path) == ("https", "shop.example.com", "/offer/A-42")
    assert parse_qs(url.query) == {"click_id": [tap["click_id"]]}
    assert tap["meta_wamid"] != wamid  # Meta's wamid differs from the gateway's
    got = receiver.wait_for(lambda r: len(clicks(r)) == 2)
    one, two = _click_data(got, tap["click_id"]), _click_data(got, second.json()["click_id"])
    assert one["click_id"] != two["click_id"]
    assert one["tracking_token"] == two["tracking_token"]  # one token per message
    # Meta's own wamid is accepted too.
    assert click(server, tap["meta_wamid"]).json()["webhook"] is True
    assert stats(server)["clicks_reported"] == 3


def test_a_link_in_the_body_is_the_body_component(
    server: ServerProcess, receiver: WebhookReceiver
) -> None:
    server.set_webhook(receiver.url)
    wamid = send(server, body_link("441234567891"))
    server.advance(60)
    _read(receiver, wamid)

    tap = click(server, wamid, "body")
    no_button = click(server, wamid, "cta")

    assert tap.status_code == 200
    assert tap.json()["url"].startswith("https://shop.example.com/sale?click_id=")
    got = receiver.wait_for(lambda r: len(clicks(r)) == 1)
    assert _click_data(got, tap.json()["click_id"])["click_component"] == "body"
    assert no_button.status_code == 409
    assert "no cta link" in no_button.json()["error"]["message"]


def test_taps_on_cloud_api_messages_produce_no_webhook(
    server: ServerProcess, receiver: WebhookReceiver
) -> None:
    server.set_webhook(receiver.url, key=seed.OTHER_CHANNEL_KEY)
    # Not onboarded: Meta falls back to Cloud API, where clicks are not reported.
    tapper = send(server, offer("441234560003"), key=seed.OTHER_CHANNEL_KEY)
    other = send(server, offer("441234567892"), key=seed.OTHER_CHANNEL_KEY)
    server.advance(60)
    _read(receiver, tapper)
    _read(receiver, other)
    server.advance(0)  # settles: the 0003 user's automatic tap has happened

    tap = click(server, other)

    assert tap.status_code == 200
    assert (tap.json()["webhook"], tap.json()["url"].count("click_id=")) == (False, 1)
    assert "Cloud API" in tap.json()["reason"]
    assert server.message(tapper, key=seed.OTHER_CHANNEL_KEY)["route_taken"] == "cloud_api"
    assert stats(server)["clicks_reported"] == 0
    assert clicks(receiver.succeeded()) == []


def test_clicks_are_reported_for_seven_days_after_the_send_only(
    server: ServerProcess, receiver: WebhookReceiver
) -> None:
    server.set_webhook(receiver.url)
    old = send(server, offer("441234560002"))  # delivered, never read by itself
    server.advance(6 * DAY)
    recent = send(server, offer("441234560002"))
    server.advance(DAY + 1)  # `old` was sent 7 days and 1 s ago, `recent` 1 day ago

    late, in_time = click(server, old), click(server, recent)

    assert (late.status_code, late.json()["webhook"]) == (200, False)
    assert "7 days" in late.json()["reason"]
    assert in_time.json()["webhook"] is True
    got = receiver.wait_for(lambda r: len(clicks(r)) == 1)
    assert _click_data(got, in_time.json()["click_id"])
    # The tap opened the chat: both messages are read now.
    _read(receiver, old)
    _read(receiver, recent)
    assert stats(server)["clicks_reported"] == 1


def test_message_activity_sharing_false_turns_the_click_webhook_off(
    server: ServerProcess, receiver: WebhookReceiver
) -> None:
    server.set_webhook(receiver.url)
    off = send(server, offer("441234567893", sharing=False))
    default = send(server, offer("441234567894", sharing=None))
    server.advance(60)
    _read(receiver, off)
    _read(receiver, default)

    refused, shared = click(server, off), click(server, default)

    assert refused.json()["webhook"] is False
    assert "message_activity_sharing" in refused.json()["reason"]
    assert shared.json()["webhook"] is True
    assert stats(server)["clicks_reported"] == 1


def test_a_tap_needs_the_message_on_the_phone(server: ServerProcess) -> None:
    never_online = send(server, offer("441234560009"))
    server.advance(60)

    assert click(server, never_online).status_code == 409
    assert click(server, "wamid.unknown").status_code == 404
    assert click(server, never_online, "elsewhere").status_code == 409
    unauthorised = server.http.post(f"/sandbox/messages/{never_online}/click")
    assert unauthorised.status_code == 401
    bad = server.http.post(f"/sandbox/messages/{never_online}/click", content=b"{", headers=SANDBOX)
    assert bad.status_code == 400
