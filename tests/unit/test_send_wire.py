"""The send request is declared once (`wire.SendRequest`: the OpenAPI schema and the SDK's
messages); the server decodes it with a looser struct of its own (`payloads.SendRequest`) so
that `validate_send` answers Meta's error codes, not msgspec's. These tests hold the two
together: the same fields, every body the wire struct allows decodes on the server, and the
documented limits are the ones the server enforces."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from msgspec import inspect

from mmgate.domain import bids, payloads
from mmgate.domain.payloads import EntryPoint, decode_send, validate_send
from mmgate.errors import GraphError
from mmgate.sdk import wire
from mmgate.sdk._models import TemplateMessage, TextMessage

# Fields only the server's decoder has, and why they are not part of the documented request.
SERVER_ONLY = {
    # A business-scoped user id instead of `to`: decoded only to answer Meta's 131062 when a
    # max price goes with it; mmgate sends to phone numbers, so the document requires `to`.
    "SendRequest.recipient",
}


def _bare(kind: inspect.Type) -> inspect.Type:
    return kind.type if isinstance(kind, inspect.Metadata) else kind


def _takes(server: inspect.Type, sent: inspect.Type, at: str) -> list[str]:
    """Why the server's type refuses a value the wire type allows (empty: it takes them all)."""
    server, sent = _bare(server), _bare(sent)
    if isinstance(server, inspect.AnyType):
        return []
    if isinstance(sent, inspect.UnionType):
        return [why for member in sent.types for why in _takes(server, member, at)]
    if isinstance(server, inspect.UnionType):
        reasons = [_takes(member, sent, at) for member in server.types]
        return [] if any(not why for why in reasons) else min(reasons, key=len)
    if isinstance(sent, inspect.StructType) and isinstance(server, inspect.StructType):
        return _fields(server, sent, at)
    if isinstance(sent, inspect.ListType) and isinstance(server, inspect.ListType):
        return _takes(server.item_type, sent.item_type, f"{at}[]")
    if isinstance(sent, inspect.DictType) and isinstance(server, inspect.DictType):
        keys = _takes(server.key_type, sent.key_type, f"{at}{{}}")
        return keys + _takes(server.value_type, sent.value_type, f"{at}{{}}")
    if isinstance(sent, inspect.LiteralType):
        if isinstance(server, inspect.LiteralType) and set(sent.values) <= set(server.values):
            return []
        plain = inspect.StrType if isinstance(sent.values[0], str) else inspect.IntType
        return [] if isinstance(server, plain) else [f"{at}: {server} refuses {sent}"]
    loose = {
        inspect.StrType: (inspect.StrType,),
        inspect.IntType: (inspect.IntType, inspect.FloatType),
        inspect.FloatType: (inspect.FloatType,),
        inspect.BoolType: (inspect.BoolType,),
        inspect.NoneType: (inspect.NoneType,),
    }
    for scalar, takers in loose.items():
        if isinstance(sent, scalar) and isinstance(server, takers):
            return []
    return [f"{at}: {server} refuses {sent}"]


def _fields(server: inspect.StructType, sent: inspect.StructType, at: str) -> list[str]:
    theirs = {field.encode_name: field for field in server.fields}
    ours = {field.encode_name: field for field in sent.fields}
    at = at or sent.cls.__name__
    problems = [f"{at}.{name} is not in the server's decoder" for name in ours.keys() - theirs]
    problems += [
        f"{at}.{name} is not in the wire struct"
        for name in theirs.keys() - ours.keys()
        if f"{at}.{name}" not in SERVER_ONLY
    ]
    for name in ours.keys() & theirs.keys():
        if theirs[name].required and not ours[name].required:
            problems.append(f"{at}.{name}: the server requires what a client may leave out")
        problems += _takes(theirs[name].type, ours[name].type, f"{at}.{name}")
    return problems


def test_the_servers_decoder_has_every_wire_field_and_takes_every_value_it_allows() -> None:
    problems = _takes(
        inspect.type_info(payloads.SendRequest), inspect.type_info(wire.SendRequest), ""
    )
    assert problems == []


def test_the_pin_notices_drift() -> None:
    class Narrow(msgspec.Struct):
        to: int
        extra: str = ""

    class Wide(msgspec.Struct):
        to: str = ""
        more: bool = False

    assert sorted(_takes(inspect.type_info(Narrow), inspect.type_info(Wide), "")) == [
        "Wide.extra is not in the wire struct",
        "Wide.more is not in the server's decoder",
        "Wide.to: IntType(gt=None, ge=None, lt=None, le=None, multiple_of=None) "
        "refuses StrType(min_length=None, max_length=None, pattern=None)",
        "Wide.to: the server requires what a client may leave out",
    ]


def test_the_sdks_messages_are_the_wire_struct_with_its_type_fixed() -> None:
    for message in (TemplateMessage, TextMessage):
        assert issubclass(message, wire.SendRequest)
        assert message.__struct_fields__ == wire.SendRequest.__struct_fields__


def _server_takes(message: wire.SendRequest, entry: EntryPoint) -> payloads.ValidSend:
    return validate_send(decode_send(msgspec.json.encode(message)), entry)


def test_every_sdk_message_is_a_valid_send_on_the_server() -> None:
    full = TemplateMessage.build(
        "+44 7700 900123",
        "offer",
        "en_GB",
        body=["Ada"],
        url_suffix="x1",
        biz_opaque_callback_data="c" * wire.MAX_CALLBACK_DATA,
        product_policy="STRICT",
        message_send_ttl_seconds=43200,
        bid_multiplier=wire.MAX_BID_MULTIPLIER,
    )
    valid = _server_takes(full, EntryPoint.MARKETING_MESSAGES)
    assert (valid.wa_id, valid.ttl_seconds, valid.product_policy) == (
        "447700900123",
        43200,
        "STRICT",
    )
    assert bids.multiplier(valid.request.bid_spec) == wire.MAX_BID_MULTIPLIER
    msgspec.json.decode(msgspec.json.encode(full), type=wire.SendRequest)  # within its limits

    text = TextMessage(to="447700900123", text=wire.Text("x" * wire.MAX_TEXT_BODY, True))
    assert _server_takes(text, EntryPoint.MESSAGES).request.text == payloads.Text(
        "x" * wire.MAX_TEXT_BODY, True
    )


def _template(**fields: Any) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "to": "447700900123",
        "type": "template",
        "template": {"name": "offer", "language": {"code": "en"}},
        **fields,
    }


# One past each documented limit: the wire struct refuses it, and so does the server, with
# Meta's code rather than msgspec's message.
PAST_THE_LIMITS = {
    "template.name": _template(
        template={"name": "n" * (wire.MAX_TEMPLATE_NAME + 1), "language": {"code": "en"}}
    ),
    "text.body": _template(type="text", text={"body": "x" * (wire.MAX_TEXT_BODY + 1)}),
    "biz_opaque_callback_data": _template(
        biz_opaque_callback_data="c" * (wire.MAX_CALLBACK_DATA + 1)
    ),
    "bid multiplier": _template(
        bid_spec={"per_message_bid_multiplier": wire.MAX_BID_MULTIPLIER * 2}
    ),
    "bid multiplier zero": _template(bid_spec={"per_message_bid_multiplier": 0}),
    "product_policy": _template(product_policy="SOMETIMES"),
    "language.policy": _template(
        template={"name": "offer", "language": {"code": "en", "policy": "fallback"}}
    ),
    "messaging_product": _template(messaging_product="sms"),
    "recipient_type": _template(recipient_type="group"),
}


@pytest.mark.parametrize("body", PAST_THE_LIMITS.values(), ids=PAST_THE_LIMITS.keys())
def test_what_the_wire_struct_refuses_the_server_refuses_with_metas_code(
    body: dict[str, Any],
) -> None:
    encoded = msgspec.json.encode(body)
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(encoded, type=wire.SendRequest)
    entry = EntryPoint.MESSAGES if body["type"] == "text" else EntryPoint.MARKETING_MESSAGES
    with pytest.raises(GraphError) as refused:
        valid = validate_send(decode_send(encoded), entry)
        bids.multiplier(valid.request.bid_spec)  # accept prices the send after validate_send
    assert refused.value.code == 100
    assert not any(word in refused.value.details for word in ("Expected", "Invalid enum"))


def test_the_server_decodes_more_than_the_document_on_purpose() -> None:
    """Why the wire struct is not the server's decoder: what it would refuse with msgspec's
    message, the server forwards or answers with Meta's own code."""
    forwarded = _template(type="image", image={"link": "https://example.com/a.png"})
    del forwarded["template"]
    unknown = _template(type="hologram")
    lowercase = _template(product_policy="strict")
    for body in (forwarded, unknown, lowercase):
        with pytest.raises(msgspec.ValidationError):
            msgspec.json.decode(msgspec.json.encode(body), type=wire.SendRequest)

    assert _decoded(forwarded, EntryPoint.MESSAGES).request.type == "image"
    with pytest.raises(GraphError) as refused:
        _decoded(unknown, EntryPoint.MESSAGES)
    assert refused.value.code == 131051
    assert _decoded(lowercase, EntryPoint.MARKETING_MESSAGES).product_policy == "STRICT"


def _decoded(body: dict[str, Any], entry: EntryPoint) -> payloads.ValidSend:
    return validate_send(decode_send(msgspec.json.encode(body)), entry)


def test_the_limits_are_declared_once() -> None:
    assert payloads.MAX_TEMPLATE_NAME == wire.MAX_TEMPLATE_NAME
    assert payloads.MAX_TEXT_BODY == wire.MAX_TEXT_BODY
    assert payloads.MAX_CALLBACK_DATA - payloads.CALLBACK_DATA_RESERVED == wire.MAX_CALLBACK_DATA
    assert bids.MAX_MULTIPLIER == wire.MAX_BID_MULTIPLIER
