"""The Hub's message page shows the message's price: the list price of its category in
its market_async, the max price it was sent with (the template's bid times the send's
multiplier), and the most it cost."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.integration.emulator.max_price_support import (
    create_bid_template_via_gateway,
    enrol_async,
    market_async,
    write_seed,
)
from tests.integration.ui import hub_support as hs
from tests.support import seed
from tests.support.inprocess import InProcessApp, in_process_app

pytestmark = pytest.mark.anyio


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[InProcessApp]:
    async with in_process_app(tmp_path, seed_path=write_seed(tmp_path)) as running:
        await hs.add_hub_user_async(running, seed.PARTNER_ID, hs.EMAIL, hs.PASSWORD)
        yield running


async def _send(app: InProcessApp, to: str, template: str, multiplier: float | None = None) -> str:
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {"name": template, "language": {"code": "en"}},
    }
    if multiplier is not None:
        body["bid_spec"] = {"per_message_bid_multiplier": multiplier}
    answer = await app.send(body)
    assert answer.status_code == 200, answer.text
    wamid: str = answer.json()["messages"][0]["id"]
    return wamid


async def _facts(hub: hs.AsyncHubClient, wamid: str) -> str:
    answer = await hub.get(f"/hub/messages/{quote(wamid, safe='')}")
    assert answer.status_code == 200, answer.text
    return html.unescape(answer.text)


async def test_the_message_page_shows_the_price(app: InProcessApp) -> None:
    await enrol_async(app)
    await create_bid_template_via_gateway(app)
    await market_async(app, fixed={"IN": 700})
    bid = await _send(app, "919800000401", "bid_sale", 1.5)
    never = await _send(app, "919800000071", "bid_sale")  # a market that never clears
    plain = await _send(app, "919800000402", "marketing_text_no_param")
    await app.advance(60)

    hub = hs.AsyncHubClient(app)
    try:
        assert (await hub.login()).status_code == 303
        page = await _facts(hub, bid)
        assert "<dt>List price</dt><dd>USD 0.0107 · marketing lite in IN</dd>" in page
        assert (
            "<dt>Max price</dt><dd>USD 0.015 (bid 1000 per 1,000 deliveries, multiplier 1.5)"
            in page
        )
        assert "<dt>Charged at most</dt><dd>USD 0.015</dd>" in page
        page = await _facts(hub, never)
        assert "<dt>Max price</dt><dd>USD 0.01 (bid 1000 per 1,000 deliveries)</dd>" in page
        assert "<dd>nothing until delivered (Meta charges deliveries)</dd>" in page
        page = await _facts(hub, plain)
        assert 'data-price="max_price"' not in page
        assert "<dt>Charged at most</dt><dd>USD 0.0107</dd>" in page  # the list price
    finally:
        await hub.aclose()
