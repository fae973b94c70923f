"""The Hub's Spend page and the Partner API's spend report show what Meta charged:
a campaign with two multipliers across two countries, a Cloud API send, the bid
editor changing the template's max price on Meta, and the reach estimate chart."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.emulator.max_price_support import (
    create_bid_template_async,
    enrol_async,
    graph_async,
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


async def _send(app: InProcessApp, to: str, multiplier: float, key: str = seed.CHANNEL_KEY) -> None:
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {"name": "bid_promo", "language": {"code": "en"}},
        "bid_spec": {"per_message_bid_multiplier": multiplier},
    }
    answer = await app.send(body)
    assert answer.status_code == 200, answer.text


async def _campaign(app: InProcessApp) -> str:
    await enrol_async(app)
    template_id = await create_bid_template_async(app, "bid_promo", 1000)
    await market_async(app, fixed={"IN": 700, "BR": 1100})
    for i in range(3):
        await _send(app, f"9198000003{i:02d}", 1.0)  # IN: 1000 >= 700, charged 700
        await _send(app, f"55119000003{i:02d}", 1.5)  # BR: 1500 >= 1100, charged 1100
    await _send(app, "5511900000399", 1.0)  # BR: 1000 < 1100, never delivered
    cloud = await app.send(
        {
            "messaging_product": "whatsapp",
            "to": "4915100000301",
            "type": "template",
            "template": {"name": "marketing_text_no_param", "language": {"code": "en"}},
        },
        key=seed.OTHER_CHANNEL_KEY,
        path="/messages",
    )
    assert cloud.status_code == 200, cloud.text
    await app.advance(3600)
    return template_id


async def test_spend_page_partner_report_bid_editor_and_reach(app: InProcessApp) -> None:
    template_id = await _campaign(app)
    expected_mm = (3 * 700 + 3 * 1100) / 100_000  # USD
    expected_cloud = 13650 / 100_000  # Germany's published rate

    report = await app.http.get(
        f"/api/v2/partners/{seed.PARTNER_ID}/spend", headers={"X-API-Key": seed.PARTNER_KEY}
    )
    assert report.status_code == 200, report.text
    clients = {c["business_id"]: c for c in report.json()["data"]["clients"]}
    shop = clients[seed.BUSINESS_ID]
    assert shop["mm_api"]["delivered"] == 6 and shop["mm_api"]["sent"] == 7
    assert shop["mm_api"]["spend"] == pytest.approx(expected_mm)
    assert shop["mm_api"]["cost_per_delivered"] == pytest.approx(expected_mm / 6)
    assert clients["100000000000002"]["cloud_api"]["spend"] == pytest.approx(expected_cloud)

    hub = hs.AsyncHubClient(app)
    try:
        assert (await hub.login()).status_code == 303
        page = (await hub.get("/hub/spend")).text
        assert 'data-cell="mm_api-spend">USD 0.054' in page
        assert 'data-cell="cloud_api-spend">USD 0.1365' in page
        assert 'value="1000" aria-label="bid_amount"' in page
        saved = await hub.post(
            "/hub/spend/bid",
            {
                "waba_id": seed.WABA_ID,
                "template_id": template_id,
                "name": "bid_promo",
                "bid_amount": "800",
            },
        )
        assert saved.status_code == 303 and "saved=bid_promo" in saved.headers["location"]
        node = await graph_async(
            app, "GET", f"/{template_id}", params={"fields": "optimization_spec"}
        )
        assert node.json()["optimization_spec"]["bid_amount"] == 800
        reach = (await hub.get("/hub/spend", country="IN", interval="L7D", waba=seed.WABA_ID)).text
        assert "Estimated deliveries per 1,000 users at each max price" in reach
        assert len(re.findall(r"<tr><td>\d+</td><td>1000</td>", reach)) == 6
    finally:
        await hub.aclose()
