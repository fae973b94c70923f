"""The same client against a 360dialog-compatible host: its URLs, headers and answer shapes.

The host is played by an httpx MockTransport answering as 360dialog documents it.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from mmgate.sdk import (
    ApiError,
    AuthenticationError,
    Client,
    InvalidRequest,
    TemplateMessage,
    TemplateNotFound,
)

NOT_FOUND = {
    "message": "(#132001) Template name does not exist in the translation",
    "type": "OAuthException",
    "code": 132001,
    "error_data": {"messaging_product": "whatsapp", "details": "template name (x) does not exist"},
    "fbtrace_id": "AbC",
}


def _host(answer: Callable[[httpx.Request], httpx.Response]) -> tuple[Client, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    client = Client(
        "d360-key",
        base_url="https://waba-v2.360dialog.io",
        partner_base_url="https://hub.360dialog.io",
        partner_api_key="partner-key",
        partner_id="pid",
        http=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    return client, seen


def test_sends_go_to_the_messaging_host_with_its_key_and_an_idempotency_key() -> None:
    answer = {
        "messaging_product": "whatsapp",
        "contacts": [{"input": "441234567890", "wa_id": "441234567890"}],
        "messages": [{"id": "wamid.X"}],
    }
    client, seen = _host(lambda _: httpx.Response(200, json=answer))

    sent = client.send_marketing_message(TemplateMessage.build("441234567890", "promo"))

    (request,) = seen
    assert str(request.url) == "https://waba-v2.360dialog.io/marketing_messages"
    assert request.headers["D360-API-KEY"] == "d360-key"
    assert len(request.headers["Idempotency-Key"]) == 36
    assert json.loads(request.content) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "type": "template",
        "to": "441234567890",
        "template": {"name": "promo", "language": {"code": "en", "policy": "deterministic"}},
    }
    assert sent.wamid == "wamid.X" and sent.messages[0].message_status is None


def test_partner_calls_go_to_the_partner_host() -> None:
    client, seen = _host(lambda _: httpx.Response(200, json={"status_code": 200}))

    routing = client.set_marketing_templates_routing(True)

    (request,) = seen
    assert request.method == "PATCH"
    assert str(request.url) == (
        "https://hub.360dialog.io/api/v2/partners/pid/settings/marketing_templates_routing"
    )
    assert request.headers["X-API-Key"] == "partner-key"
    assert json.loads(request.content) == {"enabled": True}
    assert routing.enabled is True  # a bare {"status_code": 200} confirms what was asked


@pytest.mark.parametrize(
    "body",
    [{"detail": {"error": NOT_FOUND}}, {"error": NOT_FOUND}],
    ids=["360dialog wrapper", "Graph object"],
)
def test_both_error_envelopes_give_the_same_typed_error(body: object) -> None:
    client, _ = _host(lambda _: httpx.Response(400, json=body))

    with pytest.raises(TemplateNotFound) as caught:
        client.send_marketing_message(TemplateMessage.build("441234567890", "x"))

    assert (caught.value.code, caught.value.http_status) == (132001, 400)
    assert caught.value.details == "template name (x) does not exist"
    assert caught.value.body == body


def test_360dialogs_own_401_and_partner_envelope_errors() -> None:
    client, _ = _host(lambda _: httpx.Response(401, json={"error": "Invalid api token."}))
    with pytest.raises(AuthenticationError, match=r"Invalid api token\."):
        client.get_webhook()

    envelope = {
        "meta": {"developer_message": "Permission denied for partner x", "http_code": 403},
        "status_code": 403,
        "data": {},
    }
    client, _ = _host(lambda _: httpx.Response(403, json=envelope))
    with pytest.raises(AuthenticationError, match="Permission denied for partner x"):
        client.get_partner()


def test_an_error_without_json_still_has_a_code_and_status() -> None:
    client, _ = _host(lambda _: httpx.Response(400, text="<html>Bad Request</html>"))

    with pytest.raises(ApiError) as caught:
        client.get_webhook()

    assert (caught.value.code, caught.value.http_status) == (400, 400)
    assert "Bad Request" in str(caught.value)
    assert not isinstance(caught.value, InvalidRequest)


def test_a_missing_credential_is_named_before_any_request() -> None:
    client = Client(base_url="https://waba-v2.360dialog.io")

    with pytest.raises(ValueError, match="api_key"):
        client.get_webhook()
    with pytest.raises(ValueError, match="partner_id"):
        client.get_partner()
