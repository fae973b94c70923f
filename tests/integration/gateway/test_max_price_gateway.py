"""Max price through the gateway: the template bid is created through 360dialog's
template endpoint, the send's multiplier reaches Meta (the emulated market shows it),
Meta's refusals come back locally in 360dialog's shape, and the price is recorded."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.emulator.max_price_support import (
    create_bid_template_via_gateway,
    enrol_async,
    market_async,
    write_seed,
)
from tests.support import seed
from tests.support.inprocess import InProcessApp, in_process_app
from tests.support.receiver import WebhookReceiver, statuses

pytestmark = pytest.mark.anyio

INDIA = "919800000021"


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[InProcessApp]:
    """The test seed with the Solution Partner's business known (max price)."""
    async with in_process_app(tmp_path, seed_path=write_seed(tmp_path)) as running:
        yield running


async def _send(
    app: InProcessApp, to: str, multiplier: Any = None, *, path: str = "/marketing_messages"
) -> Any:
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {"name": "bid_sale", "language": {"policy": "deterministic", "code": "en"}},
    }
    if multiplier is not None:
        body["bid_spec"] = {"per_message_bid_multiplier": multiplier}
    return await app.send(body, path=path)


def _price(app: InProcessApp, wamid: str) -> tuple[Any, ...] | None:
    conn = sqlite3.connect(app.data_dir / "gateway.db")
    try:
        row: tuple[Any, ...] | None = conn.execute(
            "SELECT country, bid_amount, bid_multiplier, max_price, list_price "
            "FROM message_prices WHERE wamid = ?",
            (wamid,),
        ).fetchone()
        return row
    finally:
        conn.close()


async def test_multiplier_passes_through_and_the_price_is_recorded(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    await enrol_async(app)
    await create_bid_template_via_gateway(app)
    await market_async(app, fixed={"IN": 1500})
    high = await _send(app, INDIA, 2)
    low = await _send(app, "919800000022", 1.2)
    assert high.status_code == 200 and low.status_code == 200, high.text + low.text
    high_id, low_id = (r.json()["messages"][0]["id"] for r in (high, low))
    assert _price(app, high_id) == ("IN", 1000, 2.0, 2000, 1070)
    assert _price(app, low_id) == ("IN", 1000, 1.2, 1200, 1070)
    await app.advance(3600)
    got = await receiver.wait_for_async(lambda r: any(s["status"] == "read" for s in statuses(r)))
    by_id: dict[str, list[str]] = {}
    for status in statuses(got):
        by_id.setdefault(status["id"], []).append(status["status"])
    assert by_id[high_id] == ["sent", "delivered", "read"]  # 2000 >= 1500
    assert by_id[low_id] == ["sent"]  # 1200 < 1500: waits at Meta for a cheaper hour


async def test_meta_refusals_are_given_locally(app: InProcessApp) -> None:
    await enrol_async(app)
    await create_bid_template_via_gateway(app)
    via_messages = await _send(app, INDIA, path="/messages")
    assert via_messages.status_code == 400
    assert via_messages.json()["detail"]["error"]["code"] == 131061
    bsuid = await app.send(
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "recipient": "US.13491208655302741918",
            "type": "template",
            "template": {"name": "bid_sale", "language": {"code": "en"}},
            "bid_spec": {"per_message_bid_multiplier": 1.5},
        }
    )
    assert bsuid.status_code == 400 and bsuid.json()["detail"]["error"]["code"] == 131062
    for bad in (0, -2, "many"):
        answer = await _send(app, INDIA, bad)
        assert answer.status_code == 400 and answer.json()["detail"]["error"]["code"] == 100


async def test_template_analytics_on_the_messaging_api(app: InProcessApp) -> None:
    await enrol_async(app)
    await create_bid_template_via_gateway(app)
    await market_async(app, fixed={"IN": 900})
    assert (await _send(app, INDIA)).status_code == 200
    now = await app.advance(3600)
    params = {"start": str(int(now - 86400)), "end": str(int(now + 60))}
    answer = await app.http.get(
        "/v1/template_analytics", params=params, headers={"D360-API-KEY": seed.CHANNEL_KEY}
    )
    assert answer.status_code == 200, answer.text
    block = answer.json()["data"][0]
    assert block["product_type"] == "MARKETING_MESSAGES_LITE_API"
    spent = sum(
        c["value"] for p in block["data_points"] for c in p["cost"] if c["type"] == "amount_spent"
    )
    assert spent == pytest.approx(0.009)  # the clearing price, not the 0.01 max price
    bad = await app.http.get(
        "/v1/template_analytics", params={"start": "x"}, headers={"D360-API-KEY": seed.CHANNEL_KEY}
    )
    assert bad.status_code == 400 and bad.json()["detail"]["error"]["code"] == 100
