"""Against the real server: keys rotate with a timed overlap on the one clock and are
revoked at once; the Partner API and both logins are limited; deep and oversized bodies
are refused in each surface's own error shape, before anything is written."""

from __future__ import annotations

import httpx

from tests.integration.ui.hub_support import EMAIL, PASSWORD, HubClient, add_hub_user
from tests.support import seed
from tests.support.server import ServerProcess

PARTNER = f"/api/v2/partners/{seed.PARTNER_ID}"
CHANNEL_KEYS = f"{PARTNER}/channels/{seed.PHONE_NUMBER_ID}/api_keys"
DAY = 86_400


def _webhook(server: ServerProcess, key: str) -> int:
    return server.http.get("/v1/configs/webhook", headers={"D360-API-KEY": key}).status_code


def _send(server: ServerProcess, key: str) -> int:
    return server.send(seed.SEED_EXAMPLE, key=key).status_code


def _partner(server: ServerProcess, key: str) -> httpx.Response:
    return server.http.get(PARTNER, headers={"X-API-Key": key})


def _rotate_channel_key(server: ServerProcess, body: dict[str, object] | None = None) -> str:
    response = server.http.post(CHANNEL_KEYS, headers={"X-API-Key": seed.PARTNER_KEY}, json=body)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["app_id"] == seed.PHONE_NUMBER_ID and data["api_key"]
    key: str = data["api_key"]
    return key


def test_a_rotated_channel_key_works_until_the_overlap_ends(server: ServerProcess) -> None:
    new_key = _rotate_channel_key(server)
    for key in (seed.CHANNEL_KEY, new_key):  # both work during the overlap (24 h default)
        assert _webhook(server, key) == 200 and _send(server, key) == 200
    server.advance(DAY - 10)
    assert _webhook(server, seed.CHANNEL_KEY) == 200
    assert _send(server, seed.CHANNEL_KEY) == 200  # the send path's cache holds the key now
    server.advance(20)
    assert _webhook(server, seed.CHANNEL_KEY) == 401
    assert _send(server, seed.CHANNEL_KEY) == 401  # even though it was cached a moment ago
    assert _webhook(server, new_key) == 200 and _send(server, new_key) == 200
    listed = server.http.get(CHANNEL_KEYS, headers={"X-API-Key": seed.PARTNER_KEY}).json()
    assert [k["active"] for k in listed["data"]["api_keys"]] == [False, True]
    assert "api_key" not in listed["data"]["api_keys"][1]  # shown once, at creation only


def test_revoking_a_channel_key_is_immediate(server: ServerProcess) -> None:
    new_key = _rotate_channel_key(server, {"overlap_seconds": 0, "label": "CRM"})
    assert _webhook(server, seed.CHANNEL_KEY) == 401  # overlap 0: the old key ended at once
    assert _send(server, new_key) == 200
    listed = server.http.get(CHANNEL_KEYS, headers={"X-API-Key": seed.PARTNER_KEY}).json()
    key_id = listed["data"]["api_keys"][-1]["id"]
    revoked = server.http.delete(
        f"{CHANNEL_KEYS}/{key_id}", headers={"X-API-Key": seed.PARTNER_KEY}
    )
    assert revoked.status_code == 200, revoked.text
    assert _send(server, new_key) == 401 and _webhook(server, new_key) == 401
    again = server.http.delete(f"{CHANNEL_KEYS}/{key_id}", headers={"X-API-Key": seed.PARTNER_KEY})
    assert again.status_code == 404


def test_a_rotated_partner_key_works_until_the_overlap_ends(server: ServerProcess) -> None:
    response = server.http.post(
        f"{PARTNER}/api_key/rotate",
        headers={"X-API-Key": seed.PARTNER_KEY},
        json={"overlap_seconds": 3600},
    )
    assert response.status_code == 200, response.text
    new_key = response.json()["data"]["api_key"]
    assert _partner(server, seed.PARTNER_KEY).status_code == 200
    assert _partner(server, new_key).status_code == 200
    server.advance(3601)
    assert _partner(server, seed.PARTNER_KEY).status_code == 401
    assert _partner(server, new_key).status_code == 200


def test_rotation_refuses_an_overlap_out_of_range(server: ServerProcess) -> None:
    for body in ({"overlap_seconds": -1}, {"overlap_seconds": 10**9}, {"unknown": 1}):
        response = server.http.post(
            CHANNEL_KEYS, headers={"X-API-Key": seed.PARTNER_KEY}, json=body
        )
        assert response.status_code == 400, response.text
    assert _webhook(server, seed.CHANNEL_KEY) == 200  # nothing was rotated


def test_the_partner_api_is_limited_per_partner(server: ServerProcess) -> None:
    statuses = [_partner(server, seed.PARTNER_KEY).status_code for _ in range(601)]
    assert statuses[:600] == [200] * 600
    refused = _partner(server, seed.PARTNER_KEY)
    assert refused.status_code == 429
    assert refused.json()["meta"]["success"] is False
    assert int(refused.headers["Retry-After"]) >= 1
    server.advance(60)
    assert _partner(server, seed.PARTNER_KEY).status_code == 200


def test_wrong_partner_keys_are_limited_per_client_address(server: ServerProcess) -> None:
    assert [_partner(server, f"guess-{n}").status_code for n in range(30)] == [401] * 30
    assert _partner(server, "guess-31").status_code == 429
    # Past the limit even the right key waits: a lucky guess would not get through either.
    blocked = _partner(server, seed.PARTNER_KEY)
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    server.advance(601)
    assert _partner(server, seed.PARTNER_KEY).status_code == 200


def test_the_emulated_meta_login_is_limited(server: ServerProcess) -> None:
    def attempt(password: str) -> int:
        form = {"email": "nobody@example.com", "password": password, "next": "/manager/"}
        return server.http.post("/manager/login", data=form).status_code

    assert [attempt(f"wrong-{n}") for n in range(10)] == [401] * 10
    assert attempt("wrong-again") == 429
    server.advance(15 * 60 + 1)
    assert attempt("wrong-later") == 401


def test_deep_and_oversized_bodies_are_refused_in_each_shape(server: ServerProcess) -> None:
    deep = b'{"url": ' + b"[" * 100 + b"]" * 100 + b"}"
    big = b'{"url": "' + b"x" * 70_000 + b'"}'
    channel = {"D360-API-KEY": seed.CHANNEL_KEY, "content-type": "application/json"}
    partner = {"X-API-Key": seed.PARTNER_KEY, "content-type": "application/json"}
    for path in ("/v1/configs/webhook", "/v1/configs/templates"):
        refused = server.http.post(path, content=deep, headers=channel)
        assert refused.status_code == 400
        assert refused.json()["detail"]["error"]["code"] == 100
        assert "nests deeper" in refused.json()["detail"]["error"]["error_data"]["details"]
        too_big = server.http.post(path, content=big, headers=channel)
        assert too_big.status_code == 413
        assert too_big.json()["detail"]["error"]["code"] == 1360004
    for method, path in (("PATCH", PARTNER), ("POST", f"{PARTNER}/webhook_secret/rotate")):
        refused = server.http.request(method, path, content=deep, headers=partner)
        assert refused.status_code == 400 and "nests deeper" in refused.text
        too_big = server.http.request(method, path, content=big, headers=partner)
        assert too_big.status_code == 413 and too_big.json()["status_code"] == 413
    config = server.http.get("/v1/configs/webhook", headers=channel).json()
    assert config["url"] is None  # nothing was written


def test_the_hub_shows_a_rotated_key_until_its_overlap_ends(server: ServerProcess) -> None:
    added = add_hub_user(server, seed.PARTNER_ID, EMAIL, PASSWORD)
    assert added.returncode == 0, added.stderr
    _rotate_channel_key(server, {"overlap_seconds": 3600})
    hub = HubClient(server)
    try:
        assert hub.login().status_code == 303
        assert "rotated: valid until" in hub.get("/hub/channels").text
        server.advance(3601)
        page = hub.get("/hub/channels").text
        assert "rotated: valid until" not in page and "expired" in page
    finally:
        hub.close()
