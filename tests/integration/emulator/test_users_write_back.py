"""Users who write back, on `mmgate emulator` alone: what they send becomes Meta's
inbound `messages` webhook, their messages open the 24 h customer service window, and
stopping marketing emits `user_preferences` and makes marketing sends fail 131050."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.emulator.standalone import EmulatorProcess
from tests.integration.emulator.users_support import (
    create_quick_reply_template,
    marketing,
    preferences,
    quick_reply_send,
    text_send,
    user_messages,
    user_sends,
)
from tests.support import seed
from tests.support.receiver import Received, WebhookReceiver, statuses

USER = "447700900321"


@pytest.fixture
def app(emulator: EmulatorProcess, receiver: WebhookReceiver) -> Iterator[WebhookReceiver]:
    emulator.subscribe_app(receiver.url, receiver.verify_token, "messages,user_preferences")
    yield receiver


def _status(receiver: WebhookReceiver, wamid: str, status: str) -> dict[str, object]:
    got = receiver.wait_for(
        lambda r: any(s["id"] == wamid and s["status"] == status for s in statuses(r))
    )
    return next(s for s in statuses(got) if s["id"] == wamid and s["status"] == status)


def _messages(receiver: WebhookReceiver, count: int) -> list[Received]:
    return receiver.wait_for(lambda r: len(user_messages(r)) >= count)


def test_free_form_needs_the_window_a_users_message_opens(
    emulator: EmulatorProcess, app: WebhookReceiver
) -> None:
    cold = emulator.send(text_send(USER))
    emulator.advance(5)
    failed = _status(app, cold, "failed")
    assert failed["errors"][0]["code"] == 131047  # type: ignore[index]

    wrote = user_sends(emulator.http, USER, text="Hello?", phone_number_id=seed.PHONE_NUMBER_ID)
    assert wrote.status_code == 200, wrote.text
    value = next(
        v
        for r in _messages(app, 1)
        for e in r.json()["entry"]
        for c in e["changes"]
        for v in [c["value"]]
        if "messages" in v
    )
    assert value["metadata"]["phone_number_id"] == seed.PHONE_NUMBER_ID
    contact = value["contacts"][0]
    assert contact["profile"] == {"name": "Test User 0321"} and contact["wa_id"] == USER
    assert contact["user_id"].startswith("GB.")  # business-scoped user id, as since 2026
    message = value["messages"][0]
    assert message["from"] == USER and message["type"] == "text"
    assert message["text"] == {"body": "Hello?"} and message["id"] == wrote.json()["id"]
    assert message["timestamp"].isdigit()

    warm = emulator.send(text_send(USER))
    emulator.advance(5)
    _status(app, warm, "read")
    window = emulator.http.get(
        f"/sandbox/users/{USER}", headers={"X-Sandbox-Key": seed.SANDBOX_KEY}
    )
    assert window.json()["businesses"][0]["window_open"] is True

    emulator.advance(24 * 3600)
    late = emulator.send(text_send(USER))
    emulator.advance(5)
    assert _status(app, late, "failed")["errors"][0]["code"] == 131047  # type: ignore[index]


def test_quick_reply_reply_and_reaction_name_the_message_in_context(
    emulator: EmulatorProcess, app: WebhookReceiver
) -> None:
    create_quick_reply_template(emulator.http)
    emulator.advance(1)  # reviewed at once
    promo = emulator.send(quick_reply_send(USER, payload="MORE-20"))
    emulator.advance(10)
    _status(app, promo, "read")

    tapped = user_sends(emulator.http, USER, quick_reply=0, reply_to=promo)
    assert tapped.status_code == 200, tapped.text
    user_sends(emulator.http, USER, text="Is it on shoes too?", reply_to=promo).raise_for_status()
    user_sends(emulator.http, USER, reaction="👍", reply_to=promo).raise_for_status()

    button, reply, reaction = user_messages(_messages(app, 3))
    assert button["type"] == "button"
    assert button["button"] == {"payload": "MORE-20", "text": "Tell me more"}
    assert button["context"] == {"from": "15550001111", "id": promo}
    assert reply["context"]["id"] == promo and reply["text"]["body"] == "Is it on shoes too?"
    assert reaction["reaction"] == {"message_id": promo, "emoji": "👍"}
    assert "context" not in reaction

    nothing = user_sends(emulator.http, USER, quick_reply=5, reply_to=promo)
    assert nothing.status_code == 409


def test_the_opt_out_button_stops_marketing_until_the_user_resumes(
    emulator: EmulatorProcess, app: WebhookReceiver
) -> None:
    create_quick_reply_template(emulator.http)
    emulator.advance(1)
    promo = emulator.send(quick_reply_send(USER))
    emulator.advance(10)
    _status(app, promo, "read")

    user_sends(emulator.http, USER, quick_reply=1, reply_to=promo).raise_for_status()
    got = app.wait_for(lambda r: len(preferences(r)) == 1)
    assert user_messages(got)[0]["button"] == {
        "payload": "Stop promotions",
        "text": "Stop promotions",
    }
    stop = preferences(got)[0]
    assert stop["wa_id"] == USER and stop["category"] == "marketing_messages"
    assert stop["value"] == "stop" and isinstance(stop["timestamp"], int)

    refused = emulator.send_template(USER)
    emulator.advance(5)
    assert _status(app, refused, "failed")["errors"][0]["code"] == 131050  # type: ignore[index]

    assert marketing(emulator.http, USER, "resume").json()["changed"] is True
    assert marketing(emulator.http, USER, "resume").json()["changed"] is False  # no change
    assert [p["value"] for p in preferences(app.wait_for(lambda r: len(preferences(r)) == 2))] == [
        "stop",
        "resume",
    ]
    welcome = emulator.send_template(USER)
    emulator.advance(10)
    _status(app, welcome, "read")


def test_scripted_test_numbers_answer_deterministically(
    emulator: EmulatorProcess, app: WebhookReceiver
) -> None:
    create_quick_reply_template(emulator.http)
    emulator.advance(1)
    stopper = emulator.send(quick_reply_send("447700900030"))
    tapper = emulator.send(quick_reply_send("447700900031", payload="YES"))
    emulator.advance(60)

    got = _messages(app, 2)
    by_sender = {m["from"]: m for m in user_messages(got)}
    assert by_sender["447700900030"]["text"] == {"body": "STOP"}
    assert by_sender["447700900030"]["context"]["id"] == stopper
    assert by_sender["447700900031"]["button"] == {"payload": "YES", "text": "Tell me more"}
    assert by_sender["447700900031"]["context"]["id"] == tapper


def test_interactive_reply_buttons_and_lists_come_back_as_interactive_replies(
    emulator: EmulatorProcess, app: WebhookReceiver
) -> None:
    user_sends(emulator.http, USER, text="Hi", phone_number_id=seed.PHONE_NUMBER_ID)
    buttons = {
        "type": "button",
        "body": {"text": "Which size?"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "size-s", "title": "Small"}},
                {"type": "reply", "reply": {"id": "size-l", "title": "Large"}},
            ]
        },
    }
    listed = {
        "type": "list",
        "body": {"text": "Pick a store"},
        "action": {
            "button": "Stores",
            "sections": [
                {"title": "London", "rows": [{"id": "ldn-1", "title": "Soho", "description": "W1"}]}
            ],
        },
    }
    base = {"messaging_product": "whatsapp", "to": USER, "type": "interactive"}
    asked = emulator.send({**base, "interactive": buttons})
    menu = emulator.send({**base, "interactive": listed})
    too_many = {**buttons, "action": {"buttons": buttons["action"]["buttons"] * 2}}  # type: ignore[index]
    refused = emulator.graph(
        "POST", f"{seed.PHONE_NUMBER_ID}/messages", json={**base, "interactive": too_many}
    )
    assert refused.status_code == 400 and refused.json()["error"]["code"] == 131009
    emulator.advance(10)
    _status(app, menu, "read")
    page = emulator.http.get(f"/sandbox/phone/{USER}", headers={"X-Sandbox-Key": seed.SANDBOX_KEY})
    assert "Which size?" in page.text and "Soho" in page.text

    user_sends(emulator.http, USER, interactive_reply="size-l", reply_to=asked).raise_for_status()
    user_sends(emulator.http, USER, interactive_reply="ldn-1", reply_to=menu).raise_for_status()
    wrong = user_sends(emulator.http, USER, interactive_reply="nope", reply_to=menu)
    assert wrong.status_code == 409

    _, size, store = user_messages(_messages(app, 3))
    assert size["type"] == "interactive" and size["context"]["id"] == asked
    assert size["interactive"] == {
        "type": "button_reply",
        "button_reply": {"id": "size-l", "title": "Large"},
    }
    assert store["interactive"] == {
        "type": "list_reply",
        "list_reply": {"id": "ldn-1", "title": "Soho", "description": "W1"},
    }


def test_the_business_marks_a_users_message_read(
    emulator: EmulatorProcess, app: WebhookReceiver
) -> None:
    wrote = user_sends(emulator.http, USER, text="Hi", phone_number_id=seed.PHONE_NUMBER_ID)
    receipt = {"messaging_product": "whatsapp", "status": "read", "message_id": wrote.json()["id"]}
    path = f"{seed.PHONE_NUMBER_ID}/messages"
    assert emulator.graph("POST", path, json=receipt).json() == {"success": True}
    typing = {**receipt, "typing_indicator": {"type": "text"}}
    assert emulator.graph("POST", path, json=typing).json() == {"success": True}
    wrong = emulator.graph("POST", path, json={**receipt, "message_id": 7})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == 100
