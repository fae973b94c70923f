"""The SDK against the real app (in this process): sends, reads, webhook config, partner and
sandbox calls."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from mmgate.sdk import (
    ApiError,
    AsyncClient,
    AuthenticationError,
    Client,
    NotFound,
    NotMarketingTemplate,
    SendResponse,
    TemplateMessage,
    TemplateNotFound,
    TemplateParametersMismatch,
    Text,
    TextMessage,
)
from tests.integration.sdk.conftest import FAST_RETRY
from tests.integration.sdk.gateway_db import accepted_per_recipient
from tests.support import seed
from tests.support.inprocess import InProcessApp, ThreadedApp
from tests.support.receiver import WebhookReceiver, statuses


def test_typed_marketing_send_is_accepted_and_readable(client: Client) -> None:
    message = TemplateMessage.build(
        "+44 7700 900123", "marketing_offer_with_link", body=["Ana"], url_suffix="ANA10"
    )

    sent = client.send_marketing_message(message)

    assert sent.wamid.startswith("wamid.")
    assert sent.contacts[0].wa_id == "447700900123"
    assert sent.messages[0].message_status == "accepted"
    info = client.get_message(sent.wamid)
    assert (info.wamid, info.recipient) == (sent.wamid, "447700900123")
    assert info.template_name == "marketing_offer_with_link"
    assert info.route_requested == "mm_api"


def test_dict_payloads_and_text_messages_go_to_messages(client: Client) -> None:
    from_dict = client.send_message(
        {"to": "441234567891", "type": "text", "text": {"body": "hello"}}
    )
    typed = client.send_message(TextMessage(to="441234567892", text=Text("hello")))

    assert client.get_message(from_dict.wamid).entry_point == "messages"
    assert client.get_message(typed.wamid).route_requested == "cloud_api"


def test_statuses_reach_the_message_record_after_the_clock_moves(
    client: Client, receiver: WebhookReceiver
) -> None:
    client.set_webhook(receiver.url)
    sent = client.send_marketing_message(seed.SEED_EXAMPLE)

    client.sandbox_clock(advance_seconds=60)
    receiver.wait_for(
        lambda got: any(s["id"] == sent.wamid and s["status"] == "read" for s in statuses(got))
    )

    info = client.get_message(sent.wamid)
    assert info.status == "read"
    assert {"sent", "delivered", "read"} <= info.statuses_reached
    assert info.route_taken in ("mm_api", "cloud_api")  # which one is routing's business


def test_webhook_config_round_trip(client: Client) -> None:
    written = client.set_webhook("https://example.com/hook", {"X-Token": "abc"})

    assert written == client.get_webhook()
    assert (written.url, written.headers) == ("https://example.com/hook", {"X-Token": "abc"})
    assert client.set_webhook(None).url is None


@pytest.mark.parametrize(
    ("message", "error", "code", "http_status"),
    [
        (TemplateMessage.build("441234567890", "no_such_template"), TemplateNotFound, 132001, 404),
        (
            TemplateMessage.build("441234567890", "order_update", body=["A1"]),
            NotMarketingTemplate,
            134100,
            400,
        ),
        (
            TemplateMessage.build("441234567890", "marketing_offer_with_link"),
            TemplateParametersMismatch,
            132000,
            400,
        ),
    ],
)
def test_refused_sends_raise_typed_errors_from_the_catalogue(
    client: Client, message: TemplateMessage, error: type[ApiError], code: int, http_status: int
) -> None:
    with pytest.raises(error) as caught:
        client.send_marketing_message(message)

    assert (caught.value.code, caught.value.http_status) == (code, http_status)
    assert caught.value.details
    assert f"#{code}" in str(caught.value)


def test_a_wrong_key_is_an_authentication_error(served: ThreadedApp) -> None:
    http = httpx.Client(transport=served.transport())
    stranger = Client("not-a-key", base_url=served.base_url, http=http)
    with stranger, pytest.raises(AuthenticationError) as caught:
        stranger.send_marketing_message(seed.SEED_EXAMPLE)

    assert caught.value.http_status == 401
    assert "Invalid api token." in str(caught.value)


def test_an_unknown_wamid_is_not_found(client: Client) -> None:
    with pytest.raises(NotFound) as caught:
        client.get_message("wamid.doesnotexist")

    assert caught.value.http_status == 404


def test_one_idempotency_key_is_one_message(client: Client, served: ThreadedApp) -> None:
    message = TemplateMessage.build("447700900555", "marketing_text_no_param")

    first = client.send_marketing_message(message, idempotency_key="order-42")
    again = client.send_marketing_message(message, idempotency_key="order-42")

    assert first == again
    assert accepted_per_recipient(served)["447700900555"] == 1


def test_sends_without_a_key_are_separate_messages(client: Client, served: ThreadedApp) -> None:
    message = TemplateMessage.build("447700900556", "marketing_text_no_param")

    assert client.send_marketing_message(message) != client.send_marketing_message(message)
    assert accepted_per_recipient(served)["447700900556"] == 2


def test_partner_calls_read_and_flip_the_routing_setting(client: Client) -> None:
    partner = client.get_partner()
    assert (partner.id, partner.marketing_templates_routing) == (seed.PARTNER_ID, True)

    assert client.set_marketing_templates_routing(False).enabled is False
    assert client.get_partner().marketing_templates_routing is False

    channels: Any = client.partner_request("GET", "channels")
    assert channels["data"]["count"] >= 1


def test_a_wrong_partner_key_is_an_authentication_error(served: ThreadedApp) -> None:
    http = httpx.Client(transport=served.transport())
    stranger = Client(
        base_url=served.base_url, partner_api_key="nope", partner_id=seed.PARTNER_ID, http=http
    )
    with stranger, pytest.raises(AuthenticationError) as caught:
        stranger.get_partner()

    assert caught.value.http_status == 401


def test_sandbox_clock_and_recipient_behaviour(client: Client) -> None:
    before = client.sandbox_clock().now

    assert client.sandbox_clock(advance_seconds=3600).now == pytest.approx(before + 3600)
    client.sandbox_recipient("+447700900777", {"reads": False})
    assert client.sandbox_recipient("447700900777").behaviour == {"reads": False}


@pytest.mark.anyio
async def test_async_client_sends_concurrently(app: InProcessApp) -> None:
    http = app.browser()
    async with AsyncClient.from_workspace(app.data_dir, retry=FAST_RETRY, http=http) as client:
        sent: list[SendResponse] = await asyncio.gather(
            *(
                client.send_marketing_message(
                    TemplateMessage.build(f"44770090060{i}", "marketing_text_no_param")
                )
                for i in range(5)
            )
        )

    assert len({s.wamid for s in sent}) == 5
    counts = accepted_per_recipient(app)
    assert [counts[f"44770090060{i}"] for i in range(5)] == [1] * 5
