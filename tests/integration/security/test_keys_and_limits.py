"""Against the real app (in process): keys rotate with a timed overlap on the one clock and are
revoked at once; the Partner API and both logins are limited; deep and oversized bodies
are refused in each surface's own error shape, before anything is written."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.ui.hub_support import EMAIL, PASSWORD, AsyncHubClient, add_hub_user_async
from tests.support import seed
from tests.support.inprocess import InProcessApp

pytestmark = pytest.mark.anyio

PARTNER = f"/api/v2/partners/{seed.PARTNER_ID}"
CHANNEL_KEYS = f"{PARTNER}/channels/{seed.PHONE_NUMBER_ID}/api_keys"
DAY = 86_400


async def _webhook(app: InProcessApp, key: str) -> int:
    return (await app.http.get("/v1/configs/webhook", headers={"D360-API-KEY": key})).status_code


async def _send(app: InProcessApp, key: str) -> int:
    return (await app.send(seed.SEED_EXAMPLE, key=key)).status_code


async def _partner(app: InProcessApp, key: str) -> httpx.Response:
    return await app.http.get(PARTNER, headers={"X-API-Key": key})


async def _rotate_channel_key(app: InProcessApp, body: dict[str, object] | None = None) -> str:
    response = await app.http.post(CHANNEL_KEYS, headers={"X-API-Key": seed.PARTNER_KEY}, json=body)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["app_id"] == seed.PHONE_NUMBER_ID and data["api_key"]
    key: str = data["api_key"]
    return key


async def test_a_rotated_channel_key_works_until_the_overlap_ends(app: InProcessApp) -> None:
    new_key = await _rotate_channel_key(app)
    for key in (seed.CHANNEL_KEY, new_key):  # both work during the overlap (24 h default)
        assert await _webhook(app, key) == 200 and await _send(app, key) == 200
    await app.advance(DAY - 10)
    assert await _webhook(app, seed.CHANNEL_KEY) == 200
    assert await _send(app, seed.CHANNEL_KEY) == 200  # the send path's cache holds the key now
    await app.advance(20)
    assert await _webhook(app, seed.CHANNEL_KEY) == 401
    assert await _send(app, seed.CHANNEL_KEY) == 401  # even though it was cached a moment ago
    assert await _webhook(app, new_key) == 200 and await _send(app, new_key) == 200
    listed = (await app.http.get(CHANNEL_KEYS, headers={"X-API-Key": seed.PARTNER_KEY})).json()
    assert [k["active"] for k in listed["data"]["api_keys"]] == [False, True]
    assert "api_key" not in listed["data"]["api_keys"][1]  # shown once, at creation only


async def test_revoking_a_channel_key_is_immediate(app: InProcessApp) -> None:
    new_key = await _rotate_channel_key(app, {"overlap_seconds": 0, "label": "CRM"})
    assert await _webhook(app, seed.CHANNEL_KEY) == 401  # overlap 0: the old key ended at once
    assert await _send(app, new_key) == 200
    listed = (await app.http.get(CHANNEL_KEYS, headers={"X-API-Key": seed.PARTNER_KEY})).json()
    key_id = listed["data"]["api_keys"][-1]["id"]
    revoked = await app.http.delete(
        f"{CHANNEL_KEYS}/{key_id}", headers={"X-API-Key": seed.PARTNER_KEY}
    )
    assert revoked.status_code == 200, revoked.text
    assert await _send(app, new_key) == 401 and await _webhook(app, new_key) == 401
    again = await app.http.delete(
        f"{CHANNEL_KEYS}/{key_id}", headers={"X-API-Key": seed.PARTNER_KEY}
    )
    assert again.status_code == 404


async def test_a_rotated_partner_key_works_until_the_overlap_ends(app: InProcessApp) -> None:
    response = await app.http.post(
        f"{PARTNER}/api_key/rotate",
        headers={"X-API-Key": seed.PARTNER_KEY},
        json={"overlap_seconds": 3600},
    )
    assert response.status_code == 200, response.text
    new_key = response.json()["data"]["api_key"]
    assert (await _partner(app, seed.PARTNER_KEY)).status_code == 200
    assert (await _partner(app, new_key)).status_code == 200
    await app.advance(3601)
    assert (await _partner(app, seed.PARTNER_KEY)).status_code == 401
    assert (await _partner(app, new_key)).status_code == 200


async def test_rotation_refuses_an_overlap_out_of_range(app: InProcessApp) -> None:
    for body in ({"overlap_seconds": -1}, {"overlap_seconds": 10**9}, {"unknown": 1}):
        response = await app.http.post(
            CHANNEL_KEYS, headers={"X-API-Key": seed.PARTNER_KEY}, json=body
        )
        assert response.status_code == 400, response.text
    assert await _webhook(app, seed.CHANNEL_KEY) == 200  # nothing was rotated


async def test_the_partner_api_is_limited_per_partner(app: InProcessApp) -> None:
    statuses = [(await _partner(app, seed.PARTNER_KEY)).status_code for _ in range(601)]
    assert statuses[:600] == [200] * 600
    refused = await _partner(app, seed.PARTNER_KEY)
    assert refused.status_code == 429
    assert refused.json()["meta"]["success"] is False
    assert int(refused.headers["Retry-After"]) >= 1
    await app.advance(60)
    assert (await _partner(app, seed.PARTNER_KEY)).status_code == 200


async def test_wrong_partner_keys_are_limited_per_client_address(app: InProcessApp) -> None:
    assert [(await _partner(app, f"guess-{n}")).status_code for n in range(30)] == [401] * 30
    assert (await _partner(app, "guess-31")).status_code == 429
    # Past the limit even the right key waits: a lucky guess would not get through either.
    blocked = await _partner(app, seed.PARTNER_KEY)
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    await app.advance(601)
    assert (await _partner(app, seed.PARTNER_KEY)).status_code == 200


async def test_the_emulated_meta_login_is_limited(app: InProcessApp) -> None:
    async def attempt(password: str) -> int:
        form = {"email": "nobody@example.com", "password": password, "next": "/manager/"}
        return (await app.http.post("/manager/login", data=form)).status_code

    assert [await attempt(f"wrong-{n}") for n in range(10)] == [401] * 10
    assert await attempt("wrong-again") == 429
    await app.advance(15 * 60 + 1)
    assert await attempt("wrong-later") == 401


async def test_deep_and_oversized_bodies_are_refused_in_each_shape(app: InProcessApp) -> None:
    deep = b'{"url": ' + b"[" * 100 + b"]" * 100 + b"}"
    big = b'{"url": "' + b"x" * 70_000 + b'"}'
    channel = {"D360-API-KEY": seed.CHANNEL_KEY, "content-type": "application/json"}
    partner = {"X-API-Key": seed.PARTNER_KEY, "content-type": "application/json"}
    for path in ("/v1/configs/webhook", "/v1/configs/templates"):
        refused = await app.http.post(path, content=deep, headers=channel)
        assert refused.status_code == 400
        assert refused.json()["detail"]["error"]["code"] == 100
        assert "nests deeper" in refused.json()["detail"]["error"]["error_data"]["details"]
        too_big = await app.http.post(path, content=big, headers=channel)
        assert too_big.status_code == 413
        assert too_big.json()["detail"]["error"]["code"] == 1360004
    for method, path in (("PATCH", PARTNER), ("POST", f"{PARTNER}/webhook_secret/rotate")):
        refused = await app.http.request(method, path, content=deep, headers=partner)
        assert refused.status_code == 400 and "nests deeper" in refused.text
        too_big = await app.http.request(method, path, content=big, headers=partner)
        assert too_big.status_code == 413 and too_big.json()["status_code"] == 413
    config = (await app.http.get("/v1/configs/webhook", headers=channel)).json()
    assert config["url"] is None  # nothing was written


async def test_the_hub_shows_a_rotated_key_until_its_overlap_ends(app: InProcessApp) -> None:
    await add_hub_user_async(app, seed.PARTNER_ID, EMAIL, PASSWORD)
    await _rotate_channel_key(app, {"overlap_seconds": 3600})
    hub = AsyncHubClient(app)
    try:
        assert (await hub.login()).status_code == 303
        assert "rotated: valid until" in (await hub.get("/hub/channels")).text
        await app.advance(3601)
        page = (await hub.get("/hub/channels")).text
        assert "rotated: valid until" not in page and "expired" in page
    finally:
        await hub.aclose()
