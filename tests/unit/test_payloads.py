from __future__ import annotations

import msgspec
import pytest

from mmgate.domain.payloads import EntryPoint, ProductPolicy, decode_send, validate_send
from mmgate.errors import GraphError
from tests.support.seed import SEED_EXAMPLE


def _valid(body: dict[str, object], entry: EntryPoint = EntryPoint.MARKETING_MESSAGES):
    return validate_send(decode_send(msgspec.json.encode(body)), entry)


def _code(body: dict[str, object], entry: EntryPoint = EntryPoint.MARKETING_MESSAGES) -> int:
    with pytest.raises(GraphError) as caught:
        _valid(body, entry)
    return caught.value.code


def test_seed_example_is_valid() -> None:
    valid = _valid(SEED_EXAMPLE)
    assert valid.wa_id == "441234567890"
    assert valid.product_policy is ProductPolicy.CLOUD_API_FALLBACK
    assert valid.request.message_activity_sharing is True


@pytest.mark.parametrize(
    ("to", "wa_id"),
    [("+44 1234 567890", "441234567890"), ("1 (650) 555-1234", "16505551234")],
)
def test_phone_numbers_are_normalised(to: str, wa_id: str) -> None:
    assert _valid({**SEED_EXAMPLE, "to": to}).wa_id == wa_id


@pytest.mark.parametrize("to", ["", "abc", "+0123456789", "123", "1" * 16])
def test_bad_phone_numbers(to: str) -> None:
    assert _code({**SEED_EXAMPLE, "to": to}) == 100


def test_product_policy_is_case_insensitive() -> None:
    assert (
        _valid({**SEED_EXAMPLE, "product_policy": "strict"}).product_policy is ProductPolicy.STRICT
    )


def test_ttl_may_be_a_numeric_string() -> None:
    assert _valid({**SEED_EXAMPLE, "message_send_ttl_seconds": "86400"}).ttl_seconds == 86400
    assert _code({**SEED_EXAMPLE, "message_send_ttl_seconds": "a day"}) == 100


def test_text_only_on_messages() -> None:
    text = {
        "messaging_product": "whatsapp",
        "to": "441234567890",
        "type": "text",
        "text": {"body": "hi"},
    }
    assert _valid(text, EntryPoint.MESSAGES).request.text is not None
    assert _code(text) == 100


def test_unsupported_type() -> None:
    body = {"messaging_product": "whatsapp", "to": "441234567890", "type": "hologram"}
    assert _code(body, EntryPoint.MESSAGES) == 131051


def test_button_needs_numeric_index() -> None:
    template = {
        "name": "x",
        "language": {"code": "en"},
        "components": [
            {
                "type": "button",
                "sub_type": "url",
                "index": "first",
                "parameters": [{"type": "text", "text": "a"}],
            }
        ],
    }
    assert _code({**SEED_EXAMPLE, "template": template}) == 100


def test_unknown_fields_are_ignored() -> None:
    assert _valid({**SEED_EXAMPLE, "something_new": {"a": 1}}).wa_id == "441234567890"


def test_callback_data_leaves_room_for_the_gateways_correlation() -> None:
    assert _code({**SEED_EXAMPLE, "biz_opaque_callback_data": "x" * 500}) == 100
