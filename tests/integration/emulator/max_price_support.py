"""Helpers for the max price tests: the emulator's Graph API, the sandbox market, a
workspace whose Solution Partner business is known and with an Indian number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.support import seed
from tests.support.inprocess import InProcessApp
from tests.support.server import ServerProcess

GRAPH = "/graph/v23.0"
AUTH = {"Authorization": f"Bearer {seed.GRAPH_TOKEN}"}
SANDBOX = {"X-Sandbox-Key": seed.SANDBOX_KEY}
PARTNER_BUSINESS_ID = "100000000000009"
HOUR = 3600.0


def write_seed(directory: Path) -> Path:
    text = seed.SEED_TOML.replace(
        "[meta]\n", f'[meta]\nsolution_provider_business_id = "{PARTNER_BUSINESS_ID}"\n', 1
    )
    path = directory / "seed.toml"
    path.write_text(text)
    return path


def graph(server: ServerProcess, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return server.http.request(method, GRAPH + path, headers=AUTH, **kwargs)


def market(server: ServerProcess, **settings: Any) -> dict[str, Any]:
    answer = server.http.post("/sandbox/market", json=settings, headers=SANDBOX)
    assert answer.status_code == 200, answer.text
    view: dict[str, Any] = answer.json()
    return view


def enrol(server: ServerProcess, business_id: str = seed.BUSINESS_ID) -> None:
    """Sign the agreement and click the emailed link (the sandbox stands in for it)."""
    signed = graph(
        server,
        "POST",
        f"/{business_id}/max_price_agreements",
        json={"signer_name": "Jane Doe", "signer_email": "jane@shop.example"},
    )
    assert signed.status_code == 200, signed.text
    accepted = server.http.post(
        f"/sandbox/max-price/agreements/{business_id}", json={"status": "accepted"}, headers=SANDBOX
    )
    assert accepted.status_code == 200, accepted.text


def bid_template(name: str, bid_amount: int) -> dict[str, Any]:
    """A MARKETING template with a max price, as the Graph API takes it."""
    return {
        "name": name,
        "category": "MARKETING",
        "language": "en",
        "components": [{"type": "BODY", "text": "Shop our seasonal sale!"}],
        "optimization_spec": {"bid_amount": bid_amount, "bid_strategy": "LOWEST_COST_WITH_BID_CAP"},
    }


def create_bid_template(server: ServerProcess, name: str, bid_amount: int) -> str:
    """A MARKETING template with a max price, approved and past its sync window."""
    answer = graph(
        server,
        "POST",
        f"/{seed.WABA_ID}/message_templates",
        json=bid_template(name, bid_amount),
    )
    assert answer.status_code == 200, answer.text
    server.advance(601)  # approved at once, then 10 minutes of ad sync
    template_id: str = answer.json()["id"]
    return template_id


def now(server: ServerProcess) -> float:
    answer = server.http.get("/sandbox/clock", headers=SANDBOX)
    answer.raise_for_status()
    value: float = answer.json()["now"]
    return value


# The same helpers for the app in process (tests/support/inprocess.py).


async def graph_async(app: InProcessApp, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return await app.http.request(method, GRAPH + path, headers=AUTH, **kwargs)


async def market_async(app: InProcessApp, **settings: Any) -> dict[str, Any]:
    answer = await app.http.post("/sandbox/market", json=settings, headers=SANDBOX)
    assert answer.status_code == 200, answer.text
    view: dict[str, Any] = answer.json()
    return view


async def enrol_async(app: InProcessApp, business_id: str = seed.BUSINESS_ID) -> None:
    """Sign the agreement and click the emailed link (the sandbox stands in for it)."""
    signed = await graph_async(
        app,
        "POST",
        f"/{business_id}/max_price_agreements",
        json={"signer_name": "Jane Doe", "signer_email": "jane@shop.example"},
    )
    assert signed.status_code == 200, signed.text
    accepted = await app.http.post(
        f"/sandbox/max-price/agreements/{business_id}", json={"status": "accepted"}, headers=SANDBOX
    )
    assert accepted.status_code == 200, accepted.text


async def create_bid_template_async(app: InProcessApp, name: str, bid_amount: int) -> str:
    """A MARKETING template with a max price, approved and past its sync window."""
    answer = await graph_async(
        app,
        "POST",
        f"/{seed.WABA_ID}/message_templates",
        json=bid_template(name, bid_amount),
    )
    assert answer.status_code == 200, answer.text
    await app.advance(601)  # approved at once, then 10 minutes of ad sync
    template_id: str = answer.json()["id"]
    return template_id


async def mm_send_async(
    app: InProcessApp,
    to: str,
    template: str,
    multiplier: float | None = None,
    *,
    endpoint: str = "marketing_messages",
    phone_number_id: str = seed.PHONE_NUMBER_ID,
) -> httpx.Response:
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {"name": template, "language": {"code": "en"}},
    }
    if multiplier is not None:
        body["bid_spec"] = {"per_message_bid_multiplier": multiplier}
    return await graph_async(app, "POST", f"/{phone_number_id}/{endpoint}", json=body)


async def now_async(app: InProcessApp) -> float:
    answer = await app.http.get("/sandbox/clock", headers=SANDBOX)
    answer.raise_for_status()
    value: float = answer.json()["now"]
    return value


async def create_bid_template_via_gateway(app: InProcessApp) -> None:
    """`bid_sale`, a MARKETING template with a max price of 1,000, created through the
    gateway's 360dialog endpoint, approved and past its ad sync window."""
    answer = await app.http.post(
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
    await app.advance(601)  # approved, then the ad sync window
