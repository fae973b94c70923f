"""The max price test numbers (docs/test-numbers.md): a send through the gateway to a
number ending 0070 is delivered at once and charged the clearing price, one ending 0071
is never delivered and expires silently uncharged, one ending 0072 is delivered at the
next hourly price move and charged that hour's price: whatever the country's market says."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.emulator.max_price_support import (
    HOUR,
    create_bid_template_via_gateway,
    enrol_async,
    market_async,
    now_async,
    write_seed,
)
from tests.support import seed
from tests.support.inprocess import InProcessApp, in_process_app
from tests.support.receiver import Received, WebhookReceiver, statuses

pytestmark = pytest.mark.anyio

CLEARS_NOW = "919800000070"
NEVER_CLEARS = "919800000071"
CLEARS_NEXT_HOUR = "919800000072"
TTL = 43_200  # the shortest MM TTL, 12 h


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[InProcessApp]:
    """The test seed with the Solution Partner's business known (max price)."""
    async with in_process_app(tmp_path, seed_path=write_seed(tmp_path)) as running:
        yield running


async def _send(app: InProcessApp, to: str) -> str:
    answer = await app.send(
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "template",
            "template": {"name": "bid_sale", "language": {"code": "en"}},
            "message_send_ttl_seconds": TTL,
        }
    )
    assert answer.status_code == 200, answer.text
    wamid: str = answer.json()["messages"][0]["id"]
    return wamid


def _by_id(requests: list[Received]) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for status in statuses(requests):
        seen.setdefault(status["id"], []).append(status["status"])
    return seen


async def _spent(app: InProcessApp, start: float) -> tuple[int, int, float]:
    """Meta's template analytics for the channel's WABA: sent, delivered, spend (USD)."""
    params = {"start": str(int(start - 86400)), "end": str(int(start + 2 * 86400))}
    answer = await app.http.get(
        "/v1/template_analytics", params=params, headers={"D360-API-KEY": seed.CHANNEL_KEY}
    )
    assert answer.status_code == 200, answer.text
    points: list[dict[str, Any]] = answer.json()["data"][0]["data_points"]
    spent = sum(c["value"] for p in points for c in p["cost"] if c["type"] == "amount_spent")
    return sum(p["sent"] for p in points), sum(p["delivered"] for p in points), spent


async def test_each_market_outcome_has_a_test_number(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    await enrol_async(app)
    await create_bid_template_via_gateway(app)
    start = await now_async(app)
    if start % HOUR > HOUR - 120:
        start = await app.advance(120)  # the sends' deliveries stay within this hour
    hour = int(start // HOUR) % 24
    next_hour = (math.floor(start / HOUR) + 1) * HOUR
    # India clears at 800 this hour and 600 the next: the bid (1000) clears both,
    # so only the test numbers make these outcomes differ.
    prices = [900] * 24
    prices[hour], prices[(hour + 1) % 24] = 800, 600
    view = await market_async(app, hourly={"IN": prices})
    assert view["test_numbers"] == {
        "0070": "clears_now",
        "0071": "never_clears",
        "0072": "clears_next_hour",
    }
    now_id, never_id, later_id = [
        await _send(app, n) for n in (CLEARS_NOW, NEVER_CLEARS, CLEARS_NEXT_HOUR)
    ]

    await app.advance(60)
    got = await receiver.wait_for_async(lambda r: _by_id(r).get(now_id, [])[-1:] == ["read"])
    assert _by_id(got)[now_id] == ["sent", "delivered", "read"]
    assert (await app.message(now_id))["price"]["charge_at_most"] == pytest.approx(0.01)
    assert await _spent(app, start) == (3, 1, pytest.approx(0.008))  # this hour's price

    await app.advance(next_hour - await now_async(app) - 5)  # just before the price moves
    assert (await app.message(later_id))["status"] == "sent"
    assert (await app.message(never_id))["status"] == "sent"
    await app.advance(60)
    got = await receiver.wait_for_async(lambda r: _by_id(r).get(later_id, [])[-1:] == ["read"])
    assert _by_id(got)[later_id] == ["sent", "delivered", "read"]
    delivered = [
        e["at"] for e in (await app.message(later_id))["events"] if e["status"] == "delivered"
    ]
    assert len(delivered) == 1 and delivered[0] >= next_hour
    assert await _spent(app, start) == (3, 2, pytest.approx(0.008 + 0.006))  # the next hour's

    await app.advance(TTL)
    await app.advance(1)  # a move first settles what was due: the expiry sweep has run
    never = await app.message(never_id)
    assert never["status"] == "expired"
    assert never["price"]["max_price"] == 1000 and never["price"]["charge_at_most"] == 0.0
    assert _by_id(receiver.requests)[never_id] == ["sent"]  # expired silently, as on Meta
    assert await _spent(app, start) == (3, 2, pytest.approx(0.014))  # never charged


async def test_the_always_clearing_number_pays_at_most_its_max_price(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    await enrol_async(app)
    await create_bid_template_via_gateway(app)
    start = await now_async(app)
    await market_async(app, fixed={"IN": 1500})  # above the bid (1000): nobody else clears
    cleared = await _send(app, CLEARS_NOW)
    waiting = await _send(app, "919800000073")
    await app.advance(60)
    got = await receiver.wait_for_async(lambda r: _by_id(r).get(cleared, [])[-1:] == ["read"])
    assert _by_id(got)[waiting] == ["sent"]
    assert await _spent(app, start) == (2, 1, pytest.approx(0.01))  # its max price, not 1500
