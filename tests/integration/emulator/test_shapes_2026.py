"""The 2026 shapes behind sandbox settings, on `mmgate emulator` alone: usernames and
hidden phone numbers, landing_page_view after a CTA tap, the pair rate limit (131056)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.integration.emulator.standalone import EmulatorProcess
from tests.integration.emulator.users_support import SANDBOX, user_messages, user_sends, values
from tests.support import seed
from tests.support.receiver import WebhookReceiver, statuses
from tests.support.shapes import mismatches, shape

USER = "447700900987"
META = Path(__file__).resolve().parents[2] / "fixtures" / "meta"  # written from Meta's docs


def _settings(emulator: EmulatorProcess, **change: Any) -> dict[str, Any]:
    answer = emulator.http.post("/sandbox/settings", json=change, headers=SANDBOX)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def test_usernames_and_hidden_phone_numbers(
    emulator: EmulatorProcess, receiver: WebhookReceiver
) -> None:
    emulator.subscribe_app(receiver.url, receiver.verify_token)
    assert _settings(emulator, user_identity="username_only")["user_identity"] == "username_only"
    wamid = emulator.send_template(USER)
    emulator.advance(10)
    user_sends(emulator.http, USER, text="hi", reply_to=wamid).raise_for_status()

    got = receiver.wait_for(lambda r: len(statuses(r)) >= 3 and bool(user_messages(r)))
    read = values(got, "messages", "statuses")[2]
    assert read["statuses"][0]["status"] == "read"
    contact = read["contacts"][0]
    assert "wa_id" not in contact and contact["profile"]["username"] == "@test.user.0987"
    assert "recipient_id" not in read["statuses"][0]
    assert read["statuses"][0]["recipient_user_id"] == contact["user_id"]
    sent = values(got, "messages", "statuses")[0]
    assert "username" not in sent["contacts"][0]["profile"]  # only delivered and read
    message = user_messages(got)[0]
    assert "from" not in message and message["from_user_id"] == contact["user_id"]

    # The business answers the user it only knows by BSUID (`recipient`, no `to`).
    reply = {"messaging_product": "whatsapp", "recipient": contact["user_id"], "type": "text"}
    answer = emulator.graph(
        "POST", f"{seed.PHONE_NUMBER_ID}/messages", json={**reply, "text": {"body": "Hello!"}}
    )
    assert answer.status_code == 200, answer.text
    bsuid = contact["user_id"]
    assert answer.json()["contacts"] == [{"input": bsuid, "user_id": bsuid}]
    answered = answer.json()["messages"][0]["id"]
    emulator.advance(10)
    receiver.wait_for(
        lambda r: any(s["id"] == answered and s["status"] == "read" for s in statuses(r))
    )
    unknown = emulator.graph(
        "POST", f"{seed.PHONE_NUMBER_ID}/messages",
        json={**reply, "recipient": "GB.1", "text": {"body": "?"}},
    )  # fmt: skip
    assert unknown.status_code == 400


def test_landing_page_view_follows_a_cta_tap(
    emulator: EmulatorProcess, receiver: WebhookReceiver
) -> None:
    emulator.subscribe_app(receiver.url, receiver.verify_token)
    _settings(emulator, landing_page_views=True)
    body = {**seed.SEED_EXAMPLE, "to": USER}
    body["template"] = {
        "name": "marketing_offer_with_link",
        "language": {"code": "en"},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "Ada"}]},
            {
                "type": "button",
                "sub_type": "url",
                "index": "0",
                "parameters": [{"type": "text", "text": "A-42"}],
            },
        ],
    }
    answer = emulator.graph("POST", f"{seed.PHONE_NUMBER_ID}/marketing_messages", json=body)
    wamid = answer.json()["messages"][0]["id"]
    emulator.advance(10)
    receiver.wait_for(lambda r: len(statuses(r)) >= 3)
    tap = emulator.http.post(f"/sandbox/messages/{wamid}/click", json={}, headers=SANDBOX)
    assert tap.json()["webhook"] is True, tap.text

    got = receiver.wait_for(lambda r: len(values(r, "messages", "user_actions")) == 2)
    actions = {
        a["action_type"]: a
        for v in values(got, "messages", "user_actions")
        for a in v["user_actions"]
    }
    click = actions["marketing_messages_link_click"]["marketing_messages_link_click_data"]
    view = actions["landing_page_view"]["marketing_messages_link_click_data"]
    assert view == {"click_id": click["click_id"], "tracking_token": click["tracking_token"]}
    documented = json.loads((META / "landing_page_view.json").read_text())
    ours = next(r.json() for r in got if b"landing_page_view" in r.body)
    assert mismatches(ours, [documented]) == []
    assert set(shape(documented)) <= set(shape(ours))


def test_the_pair_rate_limit_refuses_bursts_to_one_user(emulator: EmulatorProcess) -> None:
    _settings(emulator, pair_rate_limit=True)
    body = {**seed.SEED_EXAMPLE, "to": USER}
    answers = [
        emulator.graph("POST", f"{seed.PHONE_NUMBER_ID}/messages", json=body) for _ in range(6)
    ]
    assert [a.status_code for a in answers] == [200] * 5 + [400]
    assert answers[-1].json()["error"]["code"] == 131056
    other = emulator.graph(
        "POST", f"{seed.PHONE_NUMBER_ID}/messages", json={**body, "to": "447700900988"}
    )
    assert other.status_code == 200  # another user is another pair
    emulator.advance(6)
    again = emulator.graph("POST", f"{seed.PHONE_NUMBER_ID}/messages", json=body)
    assert again.status_code == 200  # one more after 6 s on the clock
