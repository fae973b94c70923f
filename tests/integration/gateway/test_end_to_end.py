"""The seed page's example, through gateway and emulator, back as webhooks."""

from __future__ import annotations

import pytest

from mmgate.signing import verify_delivery
from tests.support import seed
from tests.support.inprocess import InProcessApp
from tests.support.receiver import WebhookReceiver, statuses

pytestmark = pytest.mark.anyio


async def _lifecycle(receiver: WebhookReceiver, wamid: str, final: str) -> list[dict[str, object]]:
    def done(requests: list) -> bool:  # type: ignore[type-arg]
        return any(s["id"] == wamid and s["status"] == final for s in statuses(requests))

    return [s for s in statuses(await receiver.wait_for_async(done)) if s["id"] == wamid]


async def test_marketing_send_comes_back_as_sent_delivered_read_with_marketing_lite(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url, {"X-Test-Header": "yes"})

    response = await app.send(seed.SEED_EXAMPLE)

    assert response.status_code == 200
    body = response.json()
    wamid = body["messages"][0]["id"]
    assert wamid.startswith("wamid.")
    assert body["contacts"] == [{"input": "441234567890", "wa_id": "441234567890"}]
    assert body["messaging_product"] == "whatsapp"

    await app.advance(60)
    got = await _lifecycle(receiver, wamid, "read")

    assert [s["status"] for s in got] == ["sent", "delivered", "read"]
    assert got[0]["pricing"]["category"] == "marketing_lite"
    assert got[0]["recipient_id"] == "441234567890"
    assert "biz_opaque_callback_data" not in got[0]  # our correlation never leaks
    request = receiver.succeeded()[0]
    assert request.headers["x-test-header"] == "yes"
    assert verify_delivery(
        seed.PARTNER_SECRET,
        int(request.headers["x-mmgate-timestamp"]),
        request.body,
        request.headers["x-mmgate-signature-256"],
        now=float(request.headers["x-mmgate-timestamp"]),
    )
    message = await app.message(wamid)
    assert message["status"] == "read"
    assert message["route_requested"] == "mm_api"
    assert message["route_taken"] == "mm_api"


async def test_cloud_api_fallback_for_a_business_without_mm_terms(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url, key=seed.OTHER_CHANNEL_KEY)

    response = await app.send(seed.SEED_EXAMPLE, key=seed.OTHER_CHANNEL_KEY)
    wamid = response.json()["messages"][0]["id"]
    await app.advance(60)
    got = await _lifecycle(receiver, wamid, "read")

    assert got[0]["pricing"]["category"] == "marketing"
    message = await app.message(wamid, key=seed.OTHER_CHANNEL_KEY)
    assert (message["route_requested"], message["route_taken"]) == ("mm_api", "cloud_api")


async def test_plain_messages_endpoint_routes_marketing_via_mm_and_text_via_cloud(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    marketing = (await app.send(seed.SEED_EXAMPLE, path="/messages")).json()["messages"][0]["id"]
    # Free-form text needs the customer service window: the user writes first.
    (
        await app.http.post(
            "/sandbox/users/441234567891/messages",
            json={"text": "hi", "phone_number_id": seed.PHONE_NUMBER_ID},
            headers={"X-Sandbox-Key": seed.SANDBOX_KEY},
        )
    ).raise_for_status()
    text = (
        await app.send(
            {
                "messaging_product": "whatsapp",
                "to": "441234567891",
                "type": "text",
                "text": {"body": "hello"},
            },
            path="/messages",
        )
    ).json()["messages"][0]["id"]
    await app.advance(60)

    assert (await _lifecycle(receiver, marketing, "read"))[0]["pricing"][
        "category"
    ] == "marketing_lite"
    assert (await _lifecycle(receiver, text, "read"))[0]["pricing"]["category"] == "service"


async def test_clients_callback_data_comes_back_unchanged(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    body = {**seed.SEED_EXAMPLE, "biz_opaque_callback_data": "campaign-42|row-7"}
    wamid = (await app.send(body)).json()["messages"][0]["id"]
    await app.advance(60)

    got = await _lifecycle(receiver, wamid, "read")
    assert {s["biz_opaque_callback_data"] for s in got} == {"campaign-42|row-7"}


async def test_failed_status_for_an_undeliverable_number(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    wamid = (await app.send({**seed.SEED_EXAMPLE, "to": "447700900000"})).json()["messages"][0][
        "id"
    ]
    await app.advance(60)

    got = await _lifecycle(receiver, wamid, "failed")
    assert got[-1]["errors"][0]["code"] == 131026
    assert (await app.message(wamid))["status"] == "failed"


async def test_webhook_is_retried_until_the_receiver_recovers(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    receiver.answer_status = 500
    wamid = (await app.send(seed.SEED_EXAMPLE)).json()["messages"][0]["id"]
    await app.advance(1)
    await receiver.wait_for_attempts_async(1)
    receiver.answer_status = 200
    await app.advance(3600)  # past the first backoff step, on the clock the gateway reads

    got = await _lifecycle(receiver, wamid, "read")
    assert [s["status"] for s in got] == ["sent", "delivered", "read"]
    assert receiver.requests[0].status_answered == 500


async def test_a_message_not_delivered_within_its_ttl_expires(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    body = {
        **seed.SEED_EXAMPLE,
        "to": "447700900009",  # never online
        "template": {"name": "short_ttl_promo", "language": {"code": "en"}},
    }
    wamid = (await app.send(body)).json()["messages"][0]["id"]
    await app.advance(60)
    await receiver.wait_for_async(lambda r: any(s["id"] == wamid for s in statuses(r)))
    assert (await app.message(wamid))["status"] == "sent"

    await app.advance(12 * 3600)  # past the template's 12 h TTL
    await app.advance(0)  # the clock settles: the expiry sweep has run at the new time

    message = await app.message(wamid)
    assert message["status"] == "expired"
    assert [s["status"] for s in statuses(receiver.succeeded()) if s["id"] == wamid] == ["sent"]
