"""Max price on the emulator's Graph API: enrolment, template bids, the market's
outcomes and charges, the refusals, the reach estimate and the insights."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.integration.emulator.max_price_support import (
    HOUR,
    PARTNER_BUSINESS_ID,
    SANDBOX,
    create_bid_template_async,
    enrol_async,
    graph_async,
    market_async,
    mm_send_async,
    now_async,
    write_seed,
)
from tests.support import seed
from tests.support.inprocess import InProcessApp, in_process_app

pytestmark = pytest.mark.anyio

INDIA = "919800000011"
BRAZIL = "5511900000012"
GERMANY = "4915100000013"


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[InProcessApp]:
    async with in_process_app(tmp_path, seed_path=write_seed(tmp_path)) as running:
        yield running


async def _template_analytics(
    app: InProcessApp, template_id: str, start: float, end: float
) -> dict:  # type: ignore[type-arg]
    fields = (
        f"template_analytics.start({int(start)}).end({int(end)}).granularity(DAILY)"
        f".template_ids([{template_id}]).product_type(MARKETING_MESSAGES_LITE_API)"
    )
    answer = await graph_async(app, "GET", f"/{seed.WABA_ID}", params={"fields": fields})
    assert answer.status_code == 200, answer.text
    points = answer.json()["template_analytics"]["data"][0]["data_points"]
    total = {"sent": 0, "delivered": 0, "read": 0, "spent": 0.0}
    for point in points:
        for key in ("sent", "delivered", "read"):
            total[key] += point[key]
        total["spent"] += next(c["value"] for c in point["cost"] if c["type"] == "amount_spent")
    return total


async def test_enrolment_statuses_429_and_403(app: InProcessApp) -> None:
    path = f"/{seed.BUSINESS_ID}/max_price_agreements"
    assert (await graph_async(app, "GET", path)).json() == {"status": "none"}
    body = {"signer_name": "Jane Doe", "signer_email": "jane@shop.example"}
    first = await graph_async(app, "POST", path, json=body)
    assert first.status_code == 200 and first.json()["status"] == "pending"
    again = await graph_async(app, "POST", path, json=body)
    assert again.status_code == 429
    assert again.json()["error"]["retry_after"] == 300
    assert again.headers["retry-after"] == "300"
    await app.advance(301)
    assert (await graph_async(app, "POST", path, json=body)).status_code == 200  # email sent again
    # The partner has no accepted agreement: allowlisting is refused.
    allow = f"/{PARTNER_BUSINESS_ID}/max_price_end_businesses"
    refused = await graph_async(app, "POST", allow, json={"end_business_ids": [seed.BUSINESS_ID]})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == 10
    await enrol_async(app, PARTNER_BUSINESS_ID)
    results = (
        await graph_async(
            app, "POST", allow, json={"end_business_ids": [seed.BUSINESS_ID, "100000000000002"]}
        )
    ).json()["results"]
    assert results[0] == {"end_business_id": seed.BUSINESS_ID, "status": "enrolled"}
    assert results[1]["status"] == "rejected"  # not onboarded to MM
    listed = (await graph_async(app, "GET", allow)).json()["data"]
    assert [e["end_business_name"] for e in listed] == ["Test Shop"]
    assert (await graph_async(app, "GET", path)).json()[
        "status"
    ] == "pending"  # own one still pending


async def test_template_bid_needs_enrolment_is_readable_and_editable(app: InProcessApp) -> None:
    spec = {"bid_amount": 5000, "bid_strategy": "LOWEST_COST_WITH_BID_CAP"}
    body = {
        "name": "bid_promo",
        "category": "MARKETING",
        "language": "en",
        "components": [{"type": "BODY", "text": "Sale"}],
        "optimization_spec": spec,
    }
    refused = await graph_async(app, "POST", f"/{seed.WABA_ID}/message_templates", json=body)
    assert (
        refused.status_code == 400
        and "legal agreement" in refused.json()["error"]["message"] + refused.text
    )
    await enrol_async(app)
    template_id = await create_bid_template_async(app, "bid_promo", 5000)
    node = await graph_async(
        app, "GET", f"/{template_id}", params={"fields": "optimization_spec,ad_id"}
    )
    assert node.json()["optimization_spec"] == spec
    assert node.json()["ad_id"] == "8" + template_id
    edited = await graph_async(
        app, "POST", f"/{template_id}", json={"optimization_spec": {"bid_amount": 4000}}
    )
    assert edited.status_code == 200, edited.text
    listed = await graph_async(
        app, "GET", f"/{seed.WABA_ID}/message_templates", params={"name": "bid_promo"}
    )
    assert listed.json()["data"][0]["optimization_spec"]["bid_amount"] == 4000
    bad = await graph_async(
        app, "POST", f"/{template_id}", json={"optimization_spec": {"bid_amount": -1}}
    )
    assert bad.status_code == 400
    # A template created without a max price cannot get one by an edit.
    plain = await graph_async(
        app,
        "GET",
        f"/{seed.WABA_ID}/message_templates",
        params={"name": "marketing_text_no_param"},
    )
    plain_id = plain.json()["data"][0]["id"]
    added = await graph_async(
        app, "POST", f"/{plain_id}", json={"optimization_spec": {"bid_amount": 4000}}
    )
    assert added.status_code == 400


async def test_market_decides_delivery_and_charge(app: InProcessApp) -> None:
    await enrol_async(app)
    template_id = await create_bid_template_async(app, "bid_promo", 1000)
    start = await now_async(app)
    hour = int(start // HOUR) % 24
    # India clears at 800 all day; Brazil at 5000 for the next two hours, then 900.
    brazil = [900] * 24
    brazil[hour] = brazil[(hour + 1) % 24] = 5000
    await market_async(app, fixed={"IN": 800}, hourly={"BR": brazil})
    assert (await mm_send_async(app, INDIA, "bid_promo")).status_code == 200  # 1000 >= 800
    assert (
        await mm_send_async(app, INDIA, "bid_promo", 0.5)
    ).status_code == 200  # 500 < 800: never
    assert (await mm_send_async(app, BRAZIL, "bid_promo")).status_code == 200  # waits 2 hours
    await app.advance(60)
    after_a_minute = await _template_analytics(app, template_id, start, start + 86400)
    assert after_a_minute["delivered"] == 1
    assert after_a_minute["spent"] == pytest.approx(0.008)  # charged the clearing price
    await app.advance(3 * HOUR)
    later = await _template_analytics(app, template_id, start, start + 86400)
    assert later["delivered"] == 2
    assert later["spent"] == pytest.approx(0.008 + 0.009)
    await app.advance(31 * 86400)
    final = await _template_analytics(app, template_id, start, start + 32 * 86400)
    assert final["sent"] == 3 and final["delivered"] == 2  # the low bid expired unseen


async def test_cloud_api_pays_the_published_rate(app: InProcessApp) -> None:
    start = await now_async(app)
    answer = await graph_async(
        app,
        "POST",
        f"/{seed.OTHER_PHONE_NUMBER_ID}/messages",
        json={
            "messaging_product": "whatsapp",
            "to": GERMANY,
            "type": "template",
            "template": {"name": "marketing_text_no_param", "language": {"code": "en"}},
        },
    )
    assert answer.status_code == 200, answer.text
    await market_async(app, fixed={"DE": 1})  # the market does not touch Cloud API
    await app.advance(60)
    fields = f"pricing_analytics.start({int(start)}).end({int(start) + 86400}).granularity(DAILY)"
    body = (
        await graph_async(app, "GET", f"/{seed.OTHER_WABA_ID}", params={"fields": fields})
    ).json()
    points = body["pricing_analytics"]["data"][0]["data_points"]
    assert points == [
        {
            "start": points[0]["start"],
            "end": points[0]["end"],
            "country": "DE",
            "pricing_type": "REGULAR",
            "pricing_category": "MARKETING",
            "volume": 1,
            "cost": 0.1365,
        }
    ]


async def test_refusals_around_max_price(app: InProcessApp) -> None:
    await enrol_async(app)
    await create_bid_template_async(app, "bid_promo", 1000)
    via_cloud = await mm_send_async(app, INDIA, "bid_promo", endpoint="messages")
    assert via_cloud.status_code == 400 and via_cloud.json()["error"]["code"] == 131061
    bsuid = await graph_async(
        app,
        "POST",
        f"/{seed.PHONE_NUMBER_ID}/marketing_messages",
        json={
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "recipient": "US.13491208655302741918",
            "type": "template",
            "template": {"name": "bid_promo", "language": {"code": "en"}},
        },
    )
    assert bsuid.status_code == 400 and bsuid.json()["error"]["code"] == 131062
    for bad in (0, -1, "x"):
        answer = await mm_send_async(app, INDIA, "bid_promo", bad)  # type: ignore[arg-type]
        assert answer.status_code == 400 and answer.json()["error"]["code"] == 100


async def test_reach_estimate_for_each_interval(app: InProcessApp) -> None:
    spec = '{"geo_locations":{"countries":["IN"]}}'
    path = f"/{seed.WABA_ID}/reachestimate"
    refused = await graph_async(
        app, "GET", path, params={"targeting_spec": spec, "date_interval": "L7D"}
    )
    assert refused.status_code == 400  # not enrolled
    await enrol_async(app)
    for interval in ("L1D", "L7D", "L14D", "L28D"):
        answer = await graph_async(
            app, "GET", path, params={"targeting_spec": spec, "date_interval": interval}
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["waba_currency"] == "USD"
        rows = body["estimates"]
        assert [r["bid_amount"] for r in rows] == sorted(r["bid_amount"] for r in rows)
        uppers = [r["upper_bound_deliveries"] for r in rows]
        assert uppers == sorted(uppers) and uppers[-1] > 0 and uppers[0] < uppers[-1]
        assert all(r["users"] == 1000 for r in rows)
        assert all(r["cost_upper_bound"] <= r["bid_amount"] for r in rows)
    bad = await graph_async(
        app, "GET", path, params={"targeting_spec": spec, "date_interval": "L3D"}
    )
    assert bad.status_code == 400


async def test_insights_fields_and_benchmarks(app: InProcessApp) -> None:
    await enrol_async(app)
    template_id = await create_bid_template_async(app, "bid_promo", 1000)
    await market_async(app, fixed={"IN": 600})
    for i in range(4):
        assert (await mm_send_async(app, f"9198000001{i:02d}", "bid_promo")).status_code == 200
    await app.advance(HOUR)
    fields = ",".join(
        [
            "marketing_messages_sent",
            "marketing_messages_delivered",
            "marketing_messages_read",
            "marketing_messages_spend",
            "marketing_messages_cost_per_delivered",
            "marketing_messages_read_rate",
            "marketing_messages_read_rate_benchmark",
            "marketing_messages_click_rate_benchmark",
        ]
    )
    answer = await graph_async(app, "GET", f"/8{template_id}/insights", params={"fields": fields})
    assert answer.status_code == 200, answer.text
    row = answer.json()["data"][0]
    assert row["marketing_messages_sent"] == "4"
    assert row["marketing_messages_delivered"] == "4"
    assert row["marketing_messages_spend"] == "0.024"
    assert row["marketing_messages_cost_per_delivered"] == "0.006"
    assert float(row["marketing_messages_read_rate_benchmark"]) > 0
    again = (
        await graph_async(app, "GET", f"/8{template_id}/insights", params={"fields": fields})
    ).json()
    assert (
        again["data"][0]["marketing_messages_read_rate_benchmark"]
        == row["marketing_messages_read_rate_benchmark"]
    )  # the same day, the same benchmark
    unknown = await graph_async(app, "GET", f"/8{template_id}/insights", params={"fields": "nope"})
    assert unknown.status_code == 400
    settings = (await app.http.get("/sandbox/market", headers=SANDBOX)).json()
    assert settings["clearing_now"]["IN"] == 600


async def test_link_clicks_reach_insights_and_analytics(app: InProcessApp) -> None:
    await enrol_async(app)
    answer = await graph_async(
        app,
        "POST",
        f"/{seed.WABA_ID}/message_templates",
        json={
            "name": "bid_link",
            "category": "MARKETING",
            "language": "en",
            "components": [
                {"type": "BODY", "text": "Our sale."},
                {
                    "type": "BUTTONS",
                    "buttons": [{"type": "URL", "text": "Shop", "url": "https://shop.example/s"}],
                },
            ],
            "optimization_spec": {"bid_amount": 2000},
        },
    )
    assert answer.status_code == 200, answer.text
    template_id = answer.json()["id"]
    await app.advance(601)
    await market_async(app, fixed={"IN": 1000})
    sent = await mm_send_async(app, INDIA, "bid_link")
    assert sent.status_code == 200, sent.text
    await app.advance(60)
    wamid = sent.json()["messages"][0]["id"]
    click = await app.http.post(f"/sandbox/messages/{wamid}/click", json={}, headers=SANDBOX)
    assert click.status_code == 200, click.text
    fields = "marketing_messages_link_btn_click,marketing_messages_cost_per_link_btn_click"
    row = (
        await graph_async(app, "GET", f"/7{template_id}/insights", params={"fields": fields})
    ).json()
    assert row["data"][0]["marketing_messages_link_btn_click"] == "1"
    assert row["data"][0]["marketing_messages_cost_per_link_btn_click"] == "0.01"
