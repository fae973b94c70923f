"""Max price through the gateway: the template bid is created through 360dialog's
template endpoint, the send's multiplier reaches Meta (the emulated market shows it),
Meta's refusals come back locally in 360dialog's shape, and the price is recorded."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.emulator.max_price_support import enrol, market, write_seed
from tests.support import seed
from tests.support.receiver import WebhookReceiver, statuses
from tests.support.server import ServerProcess

INDIA = "919800000021"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    s = ServerProcess(tmp_path / "data", write_seed(tmp_path))
    yield s
    s.stop()


def _send(
    server: ServerProcess, to: str, multiplier: Any = None, *, path: str = "/marketing_messages"
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
    return server.send(body, path=path)


def _create_bid_template(server: ServerProcess) -> None:
    answer = server.http.post(
        "/v1/configs/templates",
        json={
            "name": "bid_sale",
            "category": "MARKETING",
            "language": "en",
            "components": [{"type": "BODY", "text": "The sale is on."}],
            "optimization_spec": {"bid_strategy": "LOWEST_COST_WITH_BID_CAP", "bid_amount": 1000},
        },
        headers={"D360-API-KEY": seed.CHANNEL_KEY},
    )
    assert answer.status_code == 200, answer.text
    server.advance(601)  # approved, then the ad sync window


def _price(server: ServerProcess, wamid: str) -> tuple[Any, ...] | None:
    conn = sqlite3.connect(server.data_dir / "gateway.db")
    try:
        row: tuple[Any, ...] | None = conn.execute(
            "SELECT country, bid_amount, bid_multiplier, max_price, list_price "
            "FROM message_prices WHERE wamid = ?",
            (wamid,),
        ).fetchone()
        return row
    finally:
        conn.close()


def test_multiplier_passes_through_and_the_price_is_recorded(
    server: ServerProcess, receiver: WebhookReceiver
) -> None:
    server.set_webhook(receiver.url)
    enrol(server)
    _create_bid_template(server)
    market(server, fixed={"IN": 1500})
    high = _send(server, INDIA, 2)
    low = _send(server, "919800000022", 1.2)
    assert high.status_code == 200 and low.status_code == 200, high.text + low.text
    high_id, low_id = (r.json()["messages"][0]["id"] for r in (high, low))
    assert _price(server, high_id) == ("IN", 1000, 2.0, 2000, 1070)
    assert _price(server, low_id) == ("IN", 1000, 1.2, 1200, 1070)
    server.advance(3600)
    got = receiver.wait_for(lambda r: any(s["status"] == "read" for s in statuses(r)))
    by_id: dict[str, list[str]] = {}
    for status in statuses(got):
        by_id.setdefault(status["id"], []).append(status["status"])
    assert by_id[high_id] == ["sent", "delivered", "read"]  # 2000 >= 1500
    assert by_id[low_id] == ["sent"]  # 1200 < 1500: waits at Meta for a cheaper hour


def test_meta_refusals_are_given_locally(server: ServerProcess) -> None:
    enrol(server)
    _create_bid_template(server)
    via_messages = _send(server, INDIA, path="/messages")
    assert via_messages.status_code == 400
    assert via_messages.json()["detail"]["error"]["code"] == 131061
    bsuid = server.send(
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
        answer = _send(server, INDIA, bad)
        assert answer.status_code == 400 and answer.json()["detail"]["error"]["code"] == 100


def test_template_analytics_on_the_messaging_api(server: ServerProcess) -> None:
    enrol(server)
    _create_bid_template(server)
    market(server, fixed={"IN": 900})
    assert _send(server, INDIA).status_code == 200
    now = server.advance(3600)
    params = {"start": str(int(now - 86400)), "end": str(int(now + 60))}
    answer = server.http.get(
        "/v1/template_analytics", params=params, headers={"D360-API-KEY": seed.CHANNEL_KEY}
    )
    assert answer.status_code == 200, answer.text
    block = answer.json()["data"][0]
    assert block["product_type"] == "MARKETING_MESSAGES_LITE_API"
    spent = sum(
        c["value"] for p in block["data_points"] for c in p["cost"] if c["type"] == "amount_spent"
    )
    assert spent == pytest.approx(0.009)  # the clearing price, not the 0.01 max price
    bad = server.http.get(
        "/v1/template_analytics", params={"start": "x"}, headers={"D360-API-KEY": seed.CHANNEL_KEY}
    )
    assert bad.status_code == 400 and bad.json()["detail"]["error"]["code"] == 100
