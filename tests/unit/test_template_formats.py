"""Marketing template formats: what Meta refuses when a template is created and when a
send does not give each component the parameters it needs (pure rules)."""

from __future__ import annotations

from typing import Any

import pytest

from mmgate.emulator.template_formats import check_created, check_send, is_rich
from mmgate.errors import GraphError

IMAGE_HEADER = {"type": "HEADER", "format": "IMAGE"}
BODY = {"type": "BODY", "text": "Hi {{1}}"}


def _card(fmt: str = "IMAGE", buttons: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "components": [
            {"type": "HEADER", "format": fmt},
            {"type": "BODY", "text": "Card {{1}}"},
            {"type": "BUTTONS", "buttons": buttons or [{"type": "QUICK_REPLY", "text": "Buy"}]},
        ]
    }


def _code(call: Any) -> int:
    with pytest.raises(GraphError) as raised:
        call()
    return raised.value.code


def test_creation_checks_headers_buttons_and_carousels() -> None:
    check_created([IMAGE_HEADER, BODY, {"type": "CAROUSEL", "cards": [_card(), _card()]}])
    assert _code(lambda: check_created([{"type": "HEADER", "format": "GIF"}])) == 100
    assert _code(lambda: check_created([{"type": "CAROUSEL", "cards": [_card()]}])) == 100
    mixed = {"type": "CAROUSEL", "cards": [_card(), _card("VIDEO")]}
    assert _code(lambda: check_created([mixed])) == 100
    too_long = {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "x" * 26}]}
    assert _code(lambda: check_created([too_long])) == 100
    flow = {"type": "BUTTONS", "buttons": [{"type": "FLOW", "text": "Book"}]}
    assert _code(lambda: check_created([flow])) == 100


def test_a_media_header_needs_its_media_of_the_right_kind() -> None:
    template = [IMAGE_HEADER, BODY]
    image = {"type": "image", "image": {"link": "https://cdn.example.com/a.jpg"}}
    check_send(template, [{"type": "header", "parameters": [image]}])
    assert _code(lambda: check_send(template, [])) == 132000
    video = {"type": "video", "video": {"link": "https://cdn.example.com/a.mp4"}}
    assert (
        _code(lambda: check_send(template, [{"type": "header", "parameters": [video]}])) == 132012
    )
    empty = {"type": "image", "image": {}}
    assert (
        _code(lambda: check_send(template, [{"type": "header", "parameters": [empty]}])) == 132012
    )


def test_carousel_sends_name_every_card_with_its_parameters() -> None:
    template = [BODY, {"type": "CAROUSEL", "cards": [_card(), _card()]}]
    image = {"type": "image", "image": {"id": "1234"}}

    def card(index: int, body: int = 1) -> dict[str, Any]:
        text = [{"type": "text", "text": "x"}] * body
        return {
            "card_index": index,
            "components": [
                {"type": "header", "parameters": [image]},
                {"type": "body", "parameters": text},
            ],
        }

    check_send(template, [{"type": "carousel", "cards": [card(0), card(1)]}])
    assert _code(lambda: check_send(template, [{"type": "carousel", "cards": [card(0)]}])) == 132000
    short = [{"type": "carousel", "cards": [card(0), card(1, body=0)]}]
    assert _code(lambda: check_send(template, short)) == 132000


def test_catalog_buttons_need_their_action() -> None:
    mpm = [BODY, {"type": "BUTTONS", "buttons": [{"type": "MPM", "text": "View items"}]}]
    assert is_rich(mpm) and not is_rich([BODY])
    assert _code(lambda: check_send(mpm, [])) == 132000
    sections = {"sections": [{"title": "Top", "product_items": [{"product_retailer_id": "sku"}]}]}
    button = {"type": "button", "sub_type": "mpm", "index": 0}
    check_send(mpm, [{**button, "parameters": [{"type": "action", "action": sections}]}])
    wrong = {**button, "sub_type": "catalog", "parameters": [{"type": "action", "action": {}}]}
    assert _code(lambda: check_send(mpm, [wrong])) == 132012
    code = [BODY, {"type": "BUTTONS", "buttons": [{"type": "COPY_CODE", "example": "SAVE"}]}]
    assert _code(lambda: check_send(code, [])) == 132000
