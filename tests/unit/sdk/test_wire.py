"""The wire structs are what the server writes and what the SDK reads: the bytes of an
answer, and the SDK's tolerance of another host's answer."""

from __future__ import annotations

import msgspec

from mmgate.sdk.wire import MessageInfo, SendResponse

encode = msgspec.json.Encoder().encode


def test_the_send_answer_is_the_cloud_api_shape_byte_for_byte() -> None:
    template = SendResponse.accepted("+44 7700 900123", "447700900123", "wamid.A", template=True)
    text = SendResponse.accepted("447700900123", "447700900123", "wamid.B", template=False)

    assert encode(template) == (
        b'{"messaging_product":"whatsapp",'
        b'"contacts":[{"input":"+44 7700 900123","wa_id":"447700900123"}],'
        b'"messages":[{"id":"wamid.A","message_status":"accepted"}]}'
    )
    assert encode(text) == (
        b'{"messaging_product":"whatsapp",'
        b'"contacts":[{"input":"447700900123","wa_id":"447700900123"}],'
        b'"messages":[{"id":"wamid.B"}]}'
    )


def test_another_hosts_send_answer_reads_with_what_it_left_out_as_none() -> None:
    answer = b'{"contacts":[{"input":"US.1","user_id":"US.1"}],"messages":[{"id":"wamid.X"}]}'

    sent = msgspec.json.decode(answer, type=SendResponse)

    assert sent.wamid == "wamid.X" and sent.messaging_product == "whatsapp"
    assert sent.contacts[0].wa_id is None and sent.contacts[0].user_id == "US.1"
    assert sent.messages[0].message_status is None


def test_a_message_answer_without_the_fields_mmgate_fills_still_reads() -> None:
    info = msgspec.json.decode(b'{"wamid":"wamid.X","status":"sent","extra":1}', type=MessageInfo)

    assert (info.recipient, info.price, info.events) == (None, None, [])
    assert info.statuses_reached == {"sent"}


def test_the_partner_envelope_and_error_bodies_are_the_documented_shapes() -> None:
    from mmgate.errors import GraphError
    from mmgate.sdk.wire_partner import Partner, PartnerSettings
    from mmgate.web.surfaces import partner_envelope

    answer = msgspec.json.decode(encode(partner_envelope({}, 403, "Permission denied")))
    assert answer["meta"]["success"] is False and answer["meta"]["360dialog_trace_id"]
    assert (answer["status_code"], answer["data"]) == (403, {})

    error = GraphError(132001, "template name (x) does not exist")
    body = msgspec.json.decode(encode(error.d360_answer()))
    assert list(body) == ["detail"] and list(body["detail"]) == ["error"]
    assert list(body["detail"]["error"]) == ["message", "type", "code", "error_data", "fbtrace_id"]
    assert body["detail"]["error"]["error_data"] == {
        "messaging_product": "whatsapp",
        "details": "template name (x) does not exist",
    }
    bare = msgspec.json.decode(encode(GraphError(100, with_error_data=False).graph_answer()))
    assert set(bare["error"]) == {"message", "type", "code", "fbtrace_id"}

    # 360dialog's partner object has other settings and none of mmgate's routing.
    other = msgspec.json.decode(b'{"id":"p","settings":{"x":1}}', type=Partner)
    assert other.settings == PartnerSettings() and other.marketing_templates_routing is None
