"""Rich marketing templates on `mmgate emulator`: created through the Graph API, checked at
send (132012 for a wrong media parameter), delivered, and rendered on the phone page."""

from __future__ import annotations

from typing import Any

from tests.integration.emulator.standalone import EmulatorProcess
from tests.integration.emulator.users_support import SANDBOX
from tests.support import seed

USER = "447700900765"
PICTURE = "https://cdn.example.com/spring.jpg"
CAROUSEL = {
    "name": "spring_carousel",
    "language": "en",
    "category": "MARKETING",
    "components": [
        {"type": "HEADER", "format": "IMAGE"},
        {"type": "BODY", "text": "New in for spring, {{1}}."},
        {
            "type": "CAROUSEL",
            "cards": [
                {
                    "components": [
                        {"type": "HEADER", "format": "IMAGE"},
                        {"type": "BODY", "text": "Card {{1}}"},
                        {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Buy"}]},
                    ]
                }
                for _ in range(2)
            ],
        },
    ],
}


def _card(index: int, name: str) -> dict[str, Any]:
    image = {"type": "image", "image": {"link": f"https://cdn.example.com/{index}.jpg"}}
    return {
        "card_index": index,
        "components": [
            {"type": "header", "parameters": [image]},
            {"type": "body", "parameters": [{"type": "text", "text": name}]},
        ],
    }


def _send(header: dict[str, Any]) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "to": USER,
        "type": "template",
        "template": {
            "name": "spring_carousel",
            "language": {"code": "en"},
            "components": [
                {"type": "header", "parameters": [header]},
                {"type": "body", "parameters": [{"type": "text", "text": "Ada"}]},
                {"type": "carousel", "cards": [_card(0, "Tulips"), _card(1, "Roses")]},
            ],
        },
    }


def test_a_carousel_with_an_image_header_is_checked_sent_and_rendered(
    emulator: EmulatorProcess,
) -> None:
    created = emulator.graph("POST", f"{seed.WABA_ID}/message_templates", json=CAROUSEL)
    assert created.status_code == 200, created.text
    bad = emulator.graph(
        "POST", f"{seed.WABA_ID}/message_templates", json={**CAROUSEL, "name": "one_card",
        "components": [CAROUSEL["components"][1], {"type": "CAROUSEL", "cards": []}]},
    )  # fmt: skip
    assert bad.status_code == 400
    emulator.advance(1)  # reviewed

    video = {"type": "video", "video": {"link": "https://cdn.example.com/a.mp4"}}
    wrong = emulator.graph("POST", f"{seed.PHONE_NUMBER_ID}/messages", json=_send(video))
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == 132012
    emulator.send(_send({"type": "image", "image": {"link": PICTURE}}))
    emulator.advance(10)

    page = emulator.http.get(f"/sandbox/phone/{USER}", headers=SANDBOX).text
    assert f"[image] {PICTURE}" in page
    assert "New in for spring, Ada." in page
    assert "Card Tulips" in page and "Card Roses" in page
    assert 'aria-label="Carousel"' in page
