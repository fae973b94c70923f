"""Every refused send gets the real error shape and leaves no row behind.

The app runs in this process (the `app` fixture, tests/support/inprocess.py): nothing here
needs a process of its own."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from tests.support import seed
from tests.support.inprocess import InProcessApp

pytestmark = pytest.mark.anyio


def _rows(app: InProcessApp) -> tuple[int, int]:
    conn = sqlite3.connect(app.data_dir / "gateway.db")
    try:
        messages = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        jobs = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
        return messages, jobs
    finally:
        conn.close()


def _error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"detail"}
    error: dict[str, Any] = body["detail"]["error"]
    assert error["type"] == "OAuthException"
    assert isinstance(error["fbtrace_id"], str)
    return error


def _template(name: str, **extra: Any) -> dict[str, Any]:
    body = dict(seed.SEED_EXAMPLE)
    body["template"] = {
        "name": name,
        "language": {"policy": "deterministic", "code": "en"},
        **extra,
    }
    return body


CASES = [
    pytest.param(
        {**seed.SEED_EXAMPLE, "type": "text", "text": {"body": "hi"}},
        400,
        100,
        "Message must be a template message.",
        id="non-template",
    ),
    pytest.param(
        _template(
            "order_update",
            components=[{"type": "body", "parameters": [{"type": "text", "text": "A1"}]}],
        ),
        400,
        134100,
        None,
        id="utility-template",
    ),
    pytest.param(_template("no_such_template"), 404, 132001, None, id="unknown-template"),
    pytest.param({**seed.SEED_EXAMPLE, "to": 441234567890}, 400, 100, None, id="to-not-a-string"),
    pytest.param(
        {k: v for k, v in seed.SEED_EXAMPLE.items() if k != "template"},
        400,
        100,
        None,
        id="template-missing",
    ),
    pytest.param(
        {k: v for k, v in seed.SEED_EXAMPLE.items() if k != "messaging_product"},
        400,
        100,
        None,
        id="messaging-product-missing",
    ),
    pytest.param(
        {**seed.SEED_EXAMPLE, "messaging_product": "sms"}, 400, 100, None, id="wrong-product"
    ),
    pytest.param(
        {**seed.SEED_EXAMPLE, "recipient_type": "group"}, 400, 100, None, id="recipient-type"
    ),
    pytest.param({**seed.SEED_EXAMPLE, "to": "12ab"}, 400, 100, None, id="bad-phone"),
    pytest.param(
        _template("marketing_text_no_param")
        | {
            "template": {
                "name": "marketing_text_no_param",
                "language": {"code": "en", "policy": "fallback"},
            }
        },
        400,
        100,
        None,
        id="language-policy",
    ),
    pytest.param(
        {**seed.SEED_EXAMPLE, "message_activity_sharing": "yes"},
        400,
        100,
        None,
        id="activity-sharing-type",
    ),
    pytest.param(
        {**seed.SEED_EXAMPLE, "product_policy": "SOMETIMES"}, 400, 100, None, id="product-policy"
    ),
    pytest.param(
        {**seed.SEED_EXAMPLE, "message_send_ttl_seconds": 60},
        400,
        100,
        None,
        id="ttl-below-mm-range",
    ),
    pytest.param(
        {**seed.SEED_EXAMPLE, "message_send_ttl_seconds": 2592001},
        400,
        100,
        None,
        id="ttl-above-mm-range",
    ),
    pytest.param(_template("marketing_offer_with_link"), 400, 132000, None, id="parameter-count"),
    pytest.param(
        _template("marketing_text_no_param", components=[{"type": "hero"}]),
        400,
        100,
        None,
        id="component-type",
    ),
]


@pytest.mark.parametrize(("body", "status", "code", "details"), CASES)
async def test_refused_sends(
    app: InProcessApp, body: dict[str, Any], status: int, code: int, details: str | None
) -> None:
    response = await app.send(body)

    assert response.status_code == status, response.text
    error = _error(response)
    assert error["code"] == code
    assert error["message"].startswith(f"(#{code})") or code == 100
    if details is not None:
        assert error["error_data"]["details"] == details
    assert _rows(app) == (0, 0)


async def test_malformed_json(app: InProcessApp) -> None:
    response = await app.http.post(
        "/marketing_messages",
        content=b'{"messaging_product": ',
        headers={"D360-API-KEY": seed.CHANNEL_KEY},
    )
    assert response.status_code == 400
    assert _error(response)["code"] == 100
    assert _rows(app) == (0, 0)


async def test_huge_body(app: InProcessApp) -> None:
    big = {**seed.SEED_EXAMPLE, "padding": "x" * 200_000}
    response = await app.send(big)
    assert response.status_code == 413
    assert "exceeds" in _error(response)["error_data"]["details"]
    assert _rows(app) == (0, 0)


@pytest.mark.parametrize("depth", [40, 5000])
async def test_deeply_nested_body(app: InProcessApp, depth: int) -> None:
    # Nested in an unknown field (ignored when shallow): 5,000 levels is past msgspec's own
    # recursion limit, which used to surface as a 500.
    nested = b"[" * depth + b"]" * depth
    body = b'{"to": "447700900123", "type": "text", "text": {"body": "hi"}, "x": ' + nested + b"}"
    for path in ("/messages", "/marketing_messages"):
        response = await app.http.post(
            path, content=body, headers={"D360-API-KEY": seed.CHANNEL_KEY}
        )
        assert response.status_code == 400
        assert "nests deeper" in _error(response)["error_data"]["details"]
    assert _rows(app) == (0, 0)


@pytest.mark.parametrize("key", [None, "", "wrong-key", seed.PARTNER_KEY])
async def test_bad_key_gets_360dialogs_401(app: InProcessApp, key: str | None) -> None:
    headers = {} if key is None else {"D360-API-KEY": key}
    response = await app.http.post("/marketing_messages", json=seed.SEED_EXAMPLE, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"error": "Invalid api token."}
    assert _rows(app) == (0, 0)


async def test_bearer_prefix_is_tolerated(app: InProcessApp) -> None:
    response = await app.send(seed.SEED_EXAMPLE, key=f"Bearer {seed.CHANNEL_KEY}")
    assert response.status_code == 200


async def test_missing_to_is_metas_own_message(app: InProcessApp) -> None:
    body = {k: v for k, v in seed.SEED_EXAMPLE.items() if k != "to"}
    error = _error(await app.send(body))
    assert error["code"] == 100
    assert error["message"] == "The parameter to is required."
    assert "error_data" not in error


async def test_idempotency_key_returns_the_first_answer_and_sends_once(app: InProcessApp) -> None:
    headers = {"Idempotency-Key": "order-1234"}
    first = await app.send(seed.SEED_EXAMPLE, headers=headers)
    second = await app.send(seed.SEED_EXAMPLE, headers=headers)

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert _rows(app)[0] == 1

    other = await app.send({**seed.SEED_EXAMPLE, "to": "441234567899"}, headers=headers)
    assert other.status_code == 422
    assert _rows(app)[0] == 1


async def test_template_ttl_in_range_is_kept(app: InProcessApp) -> None:
    wamid = (await app.send(_template("short_ttl_promo"))).json()["messages"][0]["id"]
    assert (await app.message(wamid))["ttl_seconds"] == 43200
    payload_wins = await app.send(
        {**_template("short_ttl_promo"), "message_send_ttl_seconds": 86400}
    )
    wamid = payload_wins.json()["messages"][0]["id"]
    assert (await app.message(wamid))["ttl_seconds"] == 86400


async def test_per_number_throughput_limit(app: InProcessApp) -> None:
    codes = [
        (await app.send({**seed.SEED_EXAMPLE, "to": f"4478{i:04d}5678"})).status_code
        for i in range(80)
    ]
    assert codes[:80] == [200] * 80
    refused = await app.send(seed.SEED_EXAMPLE)
    assert refused.status_code == 429
    assert _error(refused)["code"] == 130429
    await app.advance(1)  # the bucket refills on the clock
    assert (await app.send(seed.SEED_EXAMPLE)).status_code == 200
