"""Through the gateway: everything a number receives reaches its channel's webhook
(inbound messages with the gateway's wamid in `context`, user_preferences, statuses
of messages sent another way), signed and durable like statuses; and free-form
outside the window reaches the client as a failed 131047 status."""

from __future__ import annotations

from typing import Any

import pytest

from mmgate.signing import MMGATE_SIGNATURE_HEADER
from tests.integration.emulator.support import SANDBOX, send_async
from tests.integration.emulator.users_support import (
    marketing_async,
    preferences,
    text_send,
    user_messages,
    user_sends_async,
)
from tests.integration.ui.hub_support import EMAIL, PASSWORD, AsyncHubClient, add_hub_user_async
from tests.support import seed
from tests.support.inprocess import InProcessApp
from tests.support.receiver import Received, WebhookReceiver, statuses

pytestmark = pytest.mark.anyio

USER = "447700900654"


def _status_of(received: list[Received], wamid: str, status: str) -> dict[str, Any]:
    return next(s for s in statuses(received) if s["id"] == wamid and s["status"] == status)


async def test_replies_preferences_and_foreign_statuses_reach_the_channel(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    ours = await send_async(app, {**seed.SEED_EXAMPLE, "to": USER})
    await app.advance(60)
    await receiver.wait_for_async(
        lambda r: any(s["id"] == ours and s["status"] == "read" for s in statuses(r))
    )

    replied = await user_sends_async(app.http, USER, text="Yes please", reply_to=ours)
    assert replied.status_code == 200, replied.text
    (await marketing_async(app.http, USER, "stop")).raise_for_status()
    direct = (
        await app.http.post(
            f"/graph/v23.0/{seed.PHONE_NUMBER_ID}/messages",
            json={**seed.SEED_EXAMPLE, "to": "447700900655"},
            headers={"Authorization": f"Bearer {seed.GRAPH_TOKEN}"},
        )
    ).json()["messages"][0]["id"]
    await app.advance(60)

    got = await receiver.wait_for_async(
        lambda r: (
            bool(user_messages(r))
            and bool(preferences(r))
            and any(s["id"] == direct and s["status"] == "read" for s in statuses(r))
        )
    )
    reply = user_messages(got)[0]
    assert reply["context"]["id"] == ours  # the gateway's wamid, as the client knows it
    assert reply["text"] == {"body": "Yes please"} and reply["from"] == USER
    assert preferences(got)[0]["value"] == "stop"
    assert _status_of(got, direct, "sent")["recipient_id"] == "447700900655"
    signed = [r for r in got if b'"messages":[' in r.body]
    assert signed and all(MMGATE_SIGNATURE_HEADER in r.headers for r in signed)

    # The Hub's message log shows the conversation: the template, then the reply.
    await add_hub_user_async(app, seed.PARTNER_ID, EMAIL, PASSWORD)
    async with AsyncHubClient(app) as hub:
        assert (await hub.login()).status_code == 303
        page = (await hub.get(f"/hub/messages/{ours}")).text
    assert 'aria-label="Conversation"' in page and "Yes please" in page


async def test_free_form_outside_the_window_fails_131047_for_the_client(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    cold = await send_async(app, text_send(USER), path="/messages")
    await app.advance(60)
    got = await receiver.wait_for_async(lambda r: any(s["id"] == cold for s in statuses(r)))
    assert _status_of(got, cold, "failed")["errors"][0]["code"] == 131047
    assert (await app.message(cold))["status"] == "failed"

    (
        await user_sends_async(app.http, USER, text="Hi", phone_number_id=seed.PHONE_NUMBER_ID)
    ).raise_for_status()
    warm = await send_async(app, text_send(USER), path="/messages")
    await app.advance(60)
    await receiver.wait_for_async(
        lambda r: any(s["id"] == warm and s["status"] == "read" for s in statuses(r))
    )
    assert (await app.http.get(f"/sandbox/users/{USER}", headers=SANDBOX)).status_code == 200


async def test_the_gateway_retries_a_send_meta_refuses_for_the_pair_rate_limit(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    on = await app.http.post("/sandbox/settings", json={"pair_rate_limit": True}, headers=SANDBOX)
    assert on.json()["pair_rate_limit"] is True
    sent = [await send_async(app, {**seed.SEED_EXAMPLE, "to": USER}) for _ in range(6)]
    for _ in range(5):
        await app.advance(60)  # the retry backoff runs on the clock; the bucket refills

    got = await receiver.wait_for_async(
        lambda r: {s["id"] for s in statuses(r) if s["status"] == "read"} >= set(sent)
    )
    assert not [s for s in statuses(got) if s["status"] == "failed"]
