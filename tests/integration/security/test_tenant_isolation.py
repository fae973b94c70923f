"""Tenant isolation as a matrix, against the real app (in this process) with two partners
(the seed's and a rival, each with a client, WABA and channel): every Messaging and Partner API
operation (taken from the OpenAPI document, so a new route joins the matrix) tried with
the wrong tenant's key, the wrong kind of key and no key, plus the sandbox admin API.
Each attempt gets the real API's auth error, and no answer names the other tenant."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mmgate.gateway import openapi
from tests.integration.ui import hub_support as rival
from tests.support import seed
from tests.support.inprocess import ThreadedApp, threaded
from tests.support.receiver import WebhookReceiver

A_PATH = {"partner_id": seed.PARTNER_ID, "channel_id": seed.PHONE_NUMBER_ID}
B_PATH = {"partner_id": rival.RIVAL_PARTNER_ID, "channel_id": rival.RIVAL_PHONE_NUMBER_ID}
# What would betray the rival tenant in an answer to the test partner.
B_TRACES = [
    rival.RIVAL_PARTNER_ID,
    "Rival Partner",
    "Rival Client Secret Co",
    "100000000000099",
    rival.RIVAL_WABA_ID,
    rival.RIVAL_PHONE_NUMBER_ID,
    "15550009999",
    "rival_secret_promo",
    rival.RIVAL_CHANNEL_KEY,
    rival.RIVAL_PARTNER_KEY,
]
INVALID_TOKEN = {"error": "Invalid api token."}


def _operations(tag: str) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, item in openapi.document()["paths"].items()
        for method, op in item.items()
        if method != "parameters" and op["tags"] == [tag]
    ]


PARTNER_OPS = _operations("Partner API")
MESSAGING_OPS = _operations("Messaging API")
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/messages"): seed.SEED_EXAMPLE,
    ("POST", "/marketing_messages"): seed.SEED_EXAMPLE,
    ("POST", "/v1/configs/webhook"): {"url": "http://127.0.0.1:9/hook"},
    ("PATCH", "/api/v2/partners/{partner_id}"): {"webhook_url": "http://127.0.0.1:9/hook"},
    ("PATCH", "/api/v2/partners/{partner_id}/settings/marketing_templates_routing"): {
        "enabled": False
    },
    ("POST", "/api/v2/partners/{partner_id}/webhook_deliveries/replay"): {"since": 0},
    ("POST", "/api/v2/partners/{partner_id}/webhook_secret/rotate"): {"overlap_seconds": 0},
    ("POST", "/api/v2/partners/{partner_id}/api_key/rotate"): {"overlap_seconds": 0},
    ("POST", "/api/v2/partners/{partner_id}/channels/{channel_id}/api_keys"): {
        "overlap_seconds": 0
    },
}


class Tenants:
    """The app, and the rival's own resources (a message, webhook deliveries)."""

    def __init__(self, server: ThreadedApp, receiver_url: str) -> None:
        self.server = server
        self.http = server.http
        server.set_webhook(receiver_url, key=rival.RIVAL_CHANNEL_KEY)
        body = {
            **seed.SEED_EXAMPLE,
            "template": {"name": "rival_secret_promo", "language": {"code": "en"}},
        }
        sent = server.send(body, key=rival.RIVAL_CHANNEL_KEY)
        assert sent.status_code == 200, sent.text
        self.b_wamid = sent.json()["messages"][0]["id"]
        self.b_delivery_ids: list[int] = []
        for _ in range(10):  # the rival's statuses come back as webhook deliveries of its own
            server.advance(10)
            found = self.partner_get(rival.RIVAL_PARTNER_KEY, B_PATH, "/webhook_deliveries")
            self.b_delivery_ids = [d["id"] for d in found.json()["data"]["deliveries"]]
            if self.b_delivery_ids:
                break
        assert self.b_delivery_ids, "the rival needs deliveries for the matrix"

    def partner_get(self, key: str, ids: dict[str, str], suffix: str) -> httpx.Response:
        return self.http.get(
            f"/api/v2/partners/{ids['partner_id']}{suffix}", headers={"X-API-Key": key}
        )

    def call(
        self, method: str, path: str, headers: dict[str, str], ids: dict[str, str]
    ) -> httpx.Response:
        values = {
            **ids,
            "key_id": "0" * 64,
            "delivery_id": str(self.b_delivery_ids[0]),
            "wamid": self.b_wamid,
        }
        url = path.format(**values)
        body = BODIES.get((method, path))
        return self.http.request(method, url, headers=headers, json=body)


@pytest.fixture(scope="module")
def tenants(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tenants]:
    """One app for the whole matrix (no attempt may change anything): in this process, its
    event loop in a thread, as these tests block."""
    tmp = tmp_path_factory.mktemp("tenants")
    receiver = WebhookReceiver().start()
    try:
        with threaded(rival.two_partners_app(tmp)) as server:
            yield Tenants(server, receiver.url)
    finally:
        receiver.stop()


def _no_trace(response: httpx.Response) -> None:
    for trace in B_TRACES:
        assert trace not in response.text, f"answer names the other tenant: {trace}"


@pytest.mark.parametrize(("method", "path"), PARTNER_OPS, ids=lambda v: str(v))
def test_partner_key_on_another_partner_is_forbidden(
    tenants: Tenants, method: str, path: str
) -> None:
    b_ids = {**A_PATH, "partner_id": rival.RIVAL_PARTNER_ID}
    response = tenants.call(method, path, {"X-API-Key": seed.PARTNER_KEY}, b_ids)
    assert response.status_code == 403, response.text
    assert response.json()["meta"]["success"] is False
    assert response.json()["data"] == {}


@pytest.mark.parametrize(("method", "path"), PARTNER_OPS, ids=lambda v: str(v))
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-API-Key": seed.CHANNEL_KEY},  # a channel key is no partner key
        {"D360-API-KEY": seed.PARTNER_KEY},  # the wrong header
        {"X-API-Key": "not-a-key"},
    ],
    ids=["no key", "channel key", "partner key in D360 header", "wrong key"],
)
def test_partner_routes_refuse_anything_but_the_partner_key(
    tenants: Tenants, method: str, path: str, headers: dict[str, str]
) -> None:
    tenants.server.advance(601)  # past the wrong-key window: this address is not throttled
    response = tenants.call(method, path, headers, A_PATH)
    assert response.status_code == 401, response.text
    assert response.json()["meta"]["developer_message"] == "Invalid API key"
    _no_trace(response)


@pytest.mark.parametrize(("method", "path"), MESSAGING_OPS, ids=lambda v: str(v))
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"D360-API-KEY": seed.PARTNER_KEY},  # a partner key is no channel key
        {"X-API-Key": seed.CHANNEL_KEY},  # the wrong header
        {"D360-API-KEY": "not-a-key"},
    ],
    ids=["no key", "partner key", "channel key in X-API-Key", "wrong key"],
)
def test_messaging_routes_refuse_anything_but_a_channel_key(
    tenants: Tenants, method: str, path: str, headers: dict[str, str]
) -> None:
    response = tenants.call(method, path, headers, A_PATH)
    assert response.status_code == 401, response.text
    assert response.json() == INVALID_TOKEN


def test_channel_key_cannot_read_another_channels_message(tenants: Tenants) -> None:
    response = tenants.http.get(
        f"/v1/messages/{tenants.b_wamid}", headers={"D360-API-KEY": seed.CHANNEL_KEY}
    )
    assert response.status_code == 404
    assert response.json()["detail"]["error"]["code"] == 100
    _no_trace(response)
    own = tenants.http.get(
        f"/v1/messages/{tenants.b_wamid}", headers={"D360-API-KEY": rival.RIVAL_CHANNEL_KEY}
    )
    assert own.status_code == 200  # the message is there, for its own channel


@pytest.mark.parametrize(("method", "path"), MESSAGING_OPS, ids=lambda v: str(v))
def test_channel_key_answers_name_only_its_own_tenant(
    tenants: Tenants, method: str, path: str
) -> None:
    if (method, path) in {("POST", "/messages"), ("POST", "/marketing_messages")}:
        pytest.skip("a send answers with its own wamid only (tested above for reads)")
    response = tenants.call(method, path, {"D360-API-KEY": seed.CHANNEL_KEY}, A_PATH)
    assert response.status_code < 500, response.text
    _no_trace(response)


@pytest.mark.parametrize(
    "suffix",
    [
        "",
        "/settings",
        "/onboarding_link",
        "/clients",
        "/channels",
        "/webhook_deliveries",
        "/webhook_endpoints",
        f"/channels/{seed.PHONE_NUMBER_ID}/api_keys",
    ],
)
def test_partner_answers_name_only_its_own_tenant(tenants: Tenants, suffix: str) -> None:
    response = tenants.partner_get(seed.PARTNER_KEY, A_PATH, suffix)
    assert response.status_code == 200, response.text
    _no_trace(response)


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("GET", "/channels/{channel_id}/api_keys"),
        ("POST", "/channels/{channel_id}/api_keys"),
        ("DELETE", "/channels/{channel_id}/api_keys/" + "0" * 64),
        ("GET", "/webhook_deliveries/{delivery_id}"),
        ("POST", "/webhook_deliveries/{delivery_id}/replay"),
    ],
)
def test_partner_key_cannot_reach_another_partners_channel_or_delivery(
    tenants: Tenants, method: str, suffix: str
) -> None:
    """Under its own partner id, naming the rival's channel or delivery: not found."""
    for delivery_id in tenants.b_delivery_ids:
        path = f"/api/v2/partners/{seed.PARTNER_ID}" + suffix.format(
            channel_id=rival.RIVAL_PHONE_NUMBER_ID, delivery_id=delivery_id
        )
        response = tenants.http.request(
            method, path, headers={"X-API-Key": seed.PARTNER_KEY}, json=None
        )
        assert response.status_code == 404, response.text
        _no_trace(response)
    rival_keys = tenants.partner_get(
        rival.RIVAL_PARTNER_KEY, B_PATH, f"/channels/{rival.RIVAL_PHONE_NUMBER_ID}/api_keys"
    )
    assert [k["active"] for k in rival_keys.json()["data"]["api_keys"]] == [True]


def test_partner_delivery_log_filtered_by_another_partners_channel_is_empty(
    tenants: Tenants,
) -> None:
    response = tenants.http.get(
        f"/api/v2/partners/{seed.PARTNER_ID}/webhook_deliveries",
        params={"channel_id": rival.RIVAL_PHONE_NUMBER_ID},
        headers={"X-API-Key": seed.PARTNER_KEY},
    )
    assert response.status_code == 200
    assert response.json()["data"]["deliveries"] == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Sandbox-Key": "wrong"},
        {"X-Sandbox-Key": seed.PARTNER_KEY},
        {"X-Sandbox-Key": seed.CHANNEL_KEY},
        {"D360-API-KEY": seed.CHANNEL_KEY, "X-API-Key": seed.PARTNER_KEY},
    ],
    ids=["none", "wrong", "partner key", "channel key", "api keys"],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/sandbox/clock"),
        ("POST", "/sandbox/clock"),
        ("GET", "/sandbox/stats"),
        ("GET", "/sandbox/settings"),
        ("POST", "/sandbox/reset"),
        ("GET", "/sandbox/onboarding"),
        ("PUT", f"/sandbox/wabas/{rival.RIVAL_WABA_ID}"),
        ("GET", "/sandbox/recipients/441234567890"),
    ],
)
def test_sandbox_admin_api_is_separate(
    tenants: Tenants, method: str, path: str, headers: dict[str, str]
) -> None:
    response = tenants.http.request(method, path, headers=headers, json={})
    assert response.status_code == 401, response.text
    _no_trace(response)


def test_the_seed_keys_still_work(tenants: Tenants) -> None:
    """The matrix above refused everything; the right keys do reach their own data."""
    assert tenants.partner_get(seed.PARTNER_KEY, A_PATH, "").status_code == 200
    assert tenants.partner_get(rival.RIVAL_PARTNER_KEY, B_PATH, "").status_code == 200
