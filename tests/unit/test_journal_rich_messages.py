"""A message in flight keeps what the phone needs across a restart of the emulator: a
carousel's cards as sent and an interactive message's buttons (emulator/durable.py)."""

from __future__ import annotations

import msgspec

from mmgate.domain.routing import Route
from mmgate.emulator.durable import Journaled, journaled, revived
from mmgate.emulator.interactive import choices
from mmgate.emulator.messages import SimMessage
from mmgate.emulator.world import PhoneNumber, Waba, WorldStore

PHONE = PhoneNumber("300", "15550001111")
BUTTONS = {
    "type": "button",
    "body": {"text": "Which size?"},
    "action": {"buttons": [{"type": "reply", "reply": {"id": "s", "title": "Small"}}]},
}
CARDS = [{"type": "carousel", "cards": [{"card_index": 0, "components": []}]}]


def test_interactive_and_carousel_messages_are_revived_whole() -> None:
    worlds = WorldStore(None)
    worlds.world.wabas = [Waba("200", "WABA", "100", phone_numbers=[PHONE])]
    worlds.save()
    message = SimMessage(
        meta_wamid="wamid.A", waba_id="200", phone=PHONE, wa_id="447700900123",
        pricing_category="service", is_marketing=False, route=Route.CLOUD_API,
        callback_data=None, graph_version=23, sent_at=1.0, expires_at=2.0,
        conversation_id="c", business_id="100", interactive=BUTTONS, raw_components=CARDS,
    )  # fmt: skip
    record = msgspec.msgpack.decode(msgspec.msgpack.encode(journaled(message)), type=Journaled)

    again = revived(record, "delivered", worlds)

    assert again is not None and again.status == "delivered"
    assert again.interactive == BUTTONS and [c.id for c in choices(again.interactive)] == ["s"]
    assert again.raw_components == CARDS and again.business_id == "100"


def test_a_journal_written_before_these_fields_still_reads() -> None:
    old = msgspec.msgpack.encode(
        ["wamid.B", "200", "300", "447700900123", "service", False, "cloud_api", None, 23,
         1.0, 2.0, "c", None, None, "hi", None, "GB", None, "100"]
    )  # fmt: skip
    record = msgspec.msgpack.decode(old, type=Journaled)
    assert record.interactive is None and record.raw_components is None and record.text == "hi"
