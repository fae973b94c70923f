"""`/sandbox/phone/{number}` over HTTP: who may open it, and what its controls do to the
simulated user (the browser test drives the same page in Chromium)."""

from __future__ import annotations

import re

import pytest

from tests.integration.emulator.support import SANDBOX, offer, send_async
from tests.support import seed
from tests.support.inprocess import InProcessApp
from tests.support.receiver import WebhookReceiver, statuses

pytestmark = pytest.mark.anyio

NUMBER = "447700900457"


async def _status(receiver: WebhookReceiver, wamid: str, status: str) -> dict[str, object]:
    got = await receiver.wait_for_async(
        lambda r: any(s["id"] == wamid and s["status"] == status for s in statuses(r))
    )
    return next(s for s in statuses(got) if s["id"] == wamid and s["status"] == status)


async def _act(app: InProcessApp, action: str, number: str = NUMBER) -> None:
    answer = await app.http.post(
        f"/sandbox/phone/{number}", data={"action": action}, headers=SANDBOX
    )
    assert answer.status_code == 303, answer.text


async def test_the_phone_needs_the_sandbox_key_and_its_forms_a_csrf_token(
    app: InProcessApp,
) -> None:
    page = f"/sandbox/phone/{NUMBER}"
    async with app.browser() as browser:
        locked = await browser.get(page)
        assert locked.status_code == 401 and "Sandbox key" in locked.text
        wrong = await browser.post(page + "/unlock", data={"key": "guess"})
        assert wrong.status_code == 401 and "Wrong sandbox key" in wrong.text
        assert (await browser.post(page, data={"action": "offline"})).status_code == 403

        unlocked = await browser.post(page + "/unlock", data={"key": seed.SANDBOX_KEY})
        assert unlocked.status_code == 303
        cookie = unlocked.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        opened = await browser.get(page)
        assert opened.status_code == 200 and f"+{NUMBER}" in opened.text
        assert (await browser.post(page, data={"action": "offline"})).status_code == 403  # no token
        token = re.search(r'name="csrf" value="([0-9a-f]{32})"', opened.text)
        assert token is not None
        done = await browser.post(page, data={"action": "offline", "csrf": token.group(1)})
        assert done.status_code == 303
        assert "Offline" in (await browser.get(page)).text
    assert (await app.http.get(page, headers={"X-Sandbox-Key": "wrong"})).status_code == 401
    assert (await app.http.get("/sandbox/phone/not-a-number", headers=SANDBOX)).status_code == 400


async def test_offline_holds_deliveries_until_online_within_the_ttl(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    await _act(app, "offline")
    held = await send_async(app, {**seed.SEED_EXAMPLE, "to": NUMBER})
    short_ttl = {"name": "short_ttl_promo", "language": {"policy": "deterministic", "code": "en"}}
    short = await send_async(app, {**seed.SEED_EXAMPLE, "to": NUMBER, "template": short_ttl})
    await app.advance(60)
    await _status(receiver, held, "sent")
    assert (await app.message(held))["status"] == "sent"

    await app.advance(13 * 3600)  # past the 12 h TTL of `short`, within 30 days of `held`
    await _act(app, "online")
    await app.advance(60)

    await _status(receiver, held, "read")
    assert (await app.message(held))["status"] == "read"
    assert (await app.message(short))["status"] == "expired"  # dropped: never delivered


async def test_stop_marketing_messages_makes_later_sends_fail_131050_until_resumed(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    await _act(app, "opt_out")
    refused = await send_async(app, {**seed.SEED_EXAMPLE, "to": NUMBER})
    await app.advance(60)

    failed = await _status(receiver, refused, "failed")
    assert failed["errors"][0]["code"] == 131050  # type: ignore[index]
    behaviour = (await app.http.get(f"/sandbox/recipients/{NUMBER}", headers=SANDBOX)).json()
    assert behaviour["behaviour"]["opted_out_of_marketing"] is True

    await _act(app, "opt_in")
    welcome = await send_async(app, {**seed.SEED_EXAMPLE, "to": NUMBER})
    await app.advance(60)
    await _status(receiver, welcome, "read")


async def test_opening_the_chat_reads_what_a_never_reading_user_received(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    number = "447700900002"  # test number: delivered, never read
    wamid = await send_async(app, {**seed.SEED_EXAMPLE, "to": number})
    await app.advance(60)
    await _status(receiver, wamid, "delivered")

    await _act(app, "open", number)

    await _status(receiver, wamid, "read")
    await app.advance(60)  # a scheduled read, if any, would not make a second one
    assert [s["status"] for s in statuses(receiver.succeeded()) if s["id"] == wamid] == [
        "sent",
        "delivered",
        "read",
    ]


async def test_the_chat_shows_each_template_rendered_with_its_parameters_and_ticks(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    read = await send_async(app, offer(NUMBER, name="Grace"))
    await app.advance(60)
    await _status(receiver, read, "read")
    await _act(app, "offline")
    await send_async(app, {**seed.SEED_EXAMPLE, "to": NUMBER})
    await app.advance(60)

    html = (await app.http.get(f"/sandbox/phone/{NUMBER}", headers=SANDBOX)).text

    assert html.index("Hi Grace, your offer is waiting.") < html.index("Our summer sale is on.")
    assert 'title="https://shop.example.com/offer/A-42"' in html
    assert "Open ↗" in html
    assert html.count('<span class="sr">Read</span>') == 1
    assert html.count('<span class="sr">Sent</span>') == 1  # held: the phone is offline
    assert "from +15550001111" in html


async def test_the_user_writes_replies_reacts_and_stops_marketing_from_the_phone(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    number = "447700900458"
    wamid = await send_async(app, {**seed.SEED_EXAMPLE, "to": number})
    await app.advance(60)
    await _status(receiver, wamid, "read")
    page = (await app.http.get(f"/sandbox/phone/{number}", headers=SANDBOX)).text
    meta_wamid = re.search(r'data-wamid="([^"]+)"', page)
    assert meta_wamid is not None
    assert "no customer service window" in page

    for form in (
        {"action": "write", "text": "Do you ship to Leeds?"},
        {"action": "write", "text": "This one", "wamid": meta_wamid.group(1)},
        {"action": "react", "emoji": "❤", "wamid": meta_wamid.group(1)},
        {"action": "opt_out"},
    ):
        answer = await app.http.post(f"/sandbox/phone/{number}", data=form, headers=SANDBOX)
        assert answer.status_code == 303 and "refused" not in answer.headers["location"], form

    got = await receiver.wait_for_async(
        lambda r: (
            b"user_preferences" in b"".join(x.body for x in r)
            and len([m for x in r for m in _inbound(x.json())]) == 3
        )
    )
    relayed = [m for r in got for m in _inbound(r.json())]
    assert sorted(str(m["type"]) for m in relayed) == ["reaction", "text", "text"]
    relayed.sort(key=lambda m: str(m["type"]))  # reaction first, then the texts in order
    assert relayed[0]["reaction"]["message_id"] == wamid  # type: ignore[index]
    texts = {m["text"]["body"]: m for m in relayed[1:]}  # type: ignore[index]
    assert "context" not in texts["Do you ship to Leeds?"]
    assert texts["This one"]["context"]["id"] == wamid  # type: ignore[index]
    page = (await app.http.get(f"/sandbox/phone/{number}", headers=SANDBOX)).text
    assert "customer service window open until" in page
    assert "Do you ship to Leeds?" in page and "marketing messages stopped" in page
    refused = await send_async(app, {**seed.SEED_EXAMPLE, "to": number})
    await app.advance(60)
    assert (await _status(receiver, refused, "failed"))["errors"][0]["code"] == 131050  # type: ignore[index]


def _inbound(body: dict[str, object]) -> list[dict[str, object]]:
    return [
        m
        for e in body["entry"]  # type: ignore[attr-defined]
        for c in e["changes"]
        for m in c["value"].get("messages", [])
    ]
