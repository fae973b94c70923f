"""Webhook subscriptions as Meta has them, on `mmgate emulator` alone: the app's callback
(app access token, hub.challenge check, fields), the WABA override and the phone-number
override, precedence phone > WABA > app, every webhook signed with the app secret."""

from __future__ import annotations

from typing import Any

from mmgate.signing import verify
from tests.integration.emulator.standalone import EmulatorProcess
from tests.support import seed
from tests.support.receiver import Received, WebhookReceiver, statuses


def _subscribe_app(emulator: EmulatorProcess, receiver: WebhookReceiver, **extra: str) -> Any:
    token = emulator.http.get(
        "/v23.0/oauth/access_token",
        params={
            "grant_type": "client_credentials",
            "client_id": emulator.app_id,
            "client_secret": seed.APP_SECRET,
        },
    ).json()["access_token"]
    params = {
        "object": "whatsapp_business_account",
        "callback_url": receiver.url,
        "verify_token": receiver.verify_token,
        "fields": "messages,message_template_status_update",
        "access_token": token,
        **extra,
    }
    return emulator.http.post(f"/v23.0/{emulator.app_id}/subscriptions", params=params)


def _read(receiver: WebhookReceiver, count: int = 1) -> list[Received]:
    return receiver.wait_for(lambda rs: len(statuses(rs)) >= count)


def test_app_callback_is_verified_then_receives_signed_webhooks(
    emulator: EmulatorProcess, receivers: list[WebhookReceiver]
) -> None:
    app = receivers[0]
    answer = _subscribe_app(emulator, app)

    assert answer.json() == {"success": True}
    challenge = app.challenges[0]
    assert challenge["hub.mode"] == "subscribe"
    assert challenge["hub.verify_token"] == app.verify_token
    listed = emulator.http.get(
        f"/v23.0/{emulator.app_id}/subscriptions",
        params={"access_token": f"{emulator.app_id}|{seed.APP_SECRET}"},
    ).json()["data"][0]
    assert listed["callback_url"] == app.url
    assert [f["name"] for f in listed["fields"]] == ["messages", "message_template_status_update"]

    emulator.send_template("441234567890")
    emulator.advance(10)
    received = _read(app, 3)
    assert [s["status"] for s in statuses(received)] == ["sent", "delivered", "read"]
    for request in received:
        assert verify(seed.APP_SECRET, request.body, request.headers["x-hub-signature-256"])


def test_a_callback_that_fails_the_challenge_is_refused_and_not_stored(
    emulator: EmulatorProcess, receivers: list[WebhookReceiver]
) -> None:
    app = receivers[0]
    answer = _subscribe_app(emulator, app, verify_token="not-the-receivers-token")

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 2200
    listed = emulator.graph("GET", f"{emulator.app_id}/subscriptions").json()
    assert listed == {"data": []}
    wrong_secret = emulator.http.post(
        f"/v23.0/{emulator.app_id}/subscriptions",
        params={"callback_url": app.url, "access_token": f"{emulator.app_id}|nope"},
    )
    assert wrong_secret.status_code == 401


def test_overrides_take_precedence_phone_then_waba_then_app(
    emulator: EmulatorProcess, receivers: list[WebhookReceiver]
) -> None:
    app, waba, phone = receivers
    _subscribe_app(emulator, app).raise_for_status()
    override = {"override_callback_uri": waba.url, "verify_token": waba.verify_token}
    # As `curl -d` sends it: a form body.
    assert emulator.graph("POST", f"{seed.WABA_ID}/subscribed_apps", data=override).json() == {
        "success": True
    }
    apps = emulator.graph("GET", f"{seed.WABA_ID}/subscribed_apps").json()["data"]
    assert apps[0]["override_callback_uri"] == waba.url
    assert apps[0]["whatsapp_business_api_data"]["id"] == emulator.app_id

    emulator.send_template("441234567891")
    emulator.advance(10)
    assert len(statuses(_read(waba, 3))) == 3

    config = {"override_callback_uri": phone.url, "verify_token": phone.verify_token}
    answer = emulator.graph(
        "POST", f"{seed.PHONE_NUMBER_ID}/", json={"webhook_configuration": config}
    )
    assert answer.json() == {"success": True}
    shown = emulator.graph(
        "GET", seed.PHONE_NUMBER_ID, params={"fields": "webhook_configuration"}
    ).json()
    assert shown["webhook_configuration"] == {
        "phone_number": phone.url,
        "whatsapp_business_account": waba.url,
        "application": app.url,
    }
    emulator.send_template("441234567892")
    emulator.advance(10)
    assert len(statuses(_read(phone, 3))) == 3

    # Removing the phone override falls back to the WABA's.
    removed = {"webhook_configuration": {"override_callback_uri": ""}}
    emulator.graph("POST", seed.PHONE_NUMBER_ID, json=removed).raise_for_status()
    emulator.send_template("441234567893")
    emulator.advance(10)
    assert len(statuses(_read(waba, 6))) == 6
    assert statuses(app.succeeded()) == []  # the app's URL got no messages webhook


def test_a_waba_without_the_app_subscribed_sends_nothing(
    emulator: EmulatorProcess, receivers: list[WebhookReceiver]
) -> None:
    app = receivers[0]
    _subscribe_app(emulator, app).raise_for_status()
    answer = emulator.graph("DELETE", f"{seed.WABA_ID}/subscribed_apps")
    assert answer.json() == {"success": True}
    assert emulator.graph("GET", f"{seed.WABA_ID}/subscribed_apps").json() == {"data": []}

    emulator.send_template("441234567894")
    emulator.advance(10)
    emulator.graph("POST", f"{seed.WABA_ID}/subscribed_apps").raise_for_status()
    emulator.send_template("441234567895")
    emulator.advance(10)

    received = _read(app, 3)
    assert {s["recipient_id"] for s in statuses(received)} == {"441234567895"}
