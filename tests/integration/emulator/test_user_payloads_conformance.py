"""What users send has the keys and value types of Meta's payloads: the recorded ones
(pywa's test data: text, reply, reaction, marketing preferences) and the ones written from
Meta's documentation (a quick-reply button, a landing page view)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.integration.emulator.standalone import EmulatorProcess
from tests.integration.emulator.users_support import (
    create_quick_reply_template,
    marketing,
    preferences,
    quick_reply_send,
    user_messages,
    user_sends,
)
from tests.support.receiver import Received, WebhookReceiver, statuses
from tests.support.shapes import mismatches, shape

USER = "447700900876"
META = Path(__file__).resolve().parents[2] / "fixtures" / "meta"  # written from Meta's docs


def _only(received: list[Received], predicate: Any) -> list[Any]:
    return [r.json() for r in received if predicate(r.json())]


def _missing(ours: Any, recorded: Any) -> list[str]:
    """Recorded key paths ours lacks (parent BSUIDs are a per-business opt-in)."""
    return [p for p in shape(recorded) if p not in shape(ours) and "parent_user_id" not in p]


def test_inbound_messages_and_preferences_match_recorded_payloads(
    emulator: EmulatorProcess, receiver: WebhookReceiver, conformance_dir: Path
) -> None:
    emulator.subscribe_app(receiver.url, receiver.verify_token, "messages,user_preferences")
    create_quick_reply_template(emulator.http)
    emulator.advance(1)
    wamid = emulator.send(quick_reply_send(USER, payload="MORE"))
    emulator.advance(10)
    receiver.wait_for(lambda r: len(statuses(r)) >= 3)
    for action in (
        {"text": "Body Text"},
        {"text": "replied text", "reply_to": wamid},
        {"reaction": "😮", "reply_to": wamid},
        {"quick_reply": 0, "reply_to": wamid},
    ):
        user_sends(emulator.http, USER, **action).raise_for_status()  # fmt: skip
    marketing(emulator.http, USER, "stop").raise_for_status()
    marketing(emulator.http, USER, "resume").raise_for_status()
    got = receiver.wait_for(lambda r: len(user_messages(r)) == 4 and len(preferences(r)) == 2)

    recorded = json.loads((conformance_dir / "pywa-updates" / "message.json").read_text())
    text, reply, reaction, button = _only(
        got, lambda b: "messages" in str(b)[:0] or _is(b, "messages")
    )
    for ours, name in ((text, "text"), (reply, "reply"), (reaction, "reaction")):
        assert mismatches(ours, [recorded[name]]) == [], name
        assert _missing(ours, recorded[name]) == [], name
    documented = json.loads((META / "button_message.json").read_text())
    assert mismatches(button, [documented]) == [] and _missing(button, documented) == []

    prefs = json.loads(
        (conformance_dir / "pywa-updates" / "user_marketing_preferences.json").read_text()
    )
    for ours in _only(got, lambda b: _is(b, "user_preferences")):
        assert mismatches(ours, [prefs["resume"]]) == []
        assert _missing(ours, prefs["resume"]) == []


def _is(body: Any, key: str) -> bool:
    return any(key in c["value"] for e in body["entry"] for c in e["changes"])
