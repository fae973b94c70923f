"""The inputs that once answered 5xx, and their relatives, on both backends: Unicode
digits (superscript, Arabic-Indic, fullwidth) in numbers and phone numbers, NUL bytes,
oversized keys and numbers, empty parameters, odd JSON shapes in a validly signed Meta
webhook, absurd clock moves; through the Messaging API, the Hub's pages, /meta/webhook
and the sandbox API. Every answer must be below 500. Hypothesis draws the cases from
fixed lists, derandomized, a bounded number per surface."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmgate.signing import META_SIGNATURE_HEADER, sign
from tests.integration.ui.hub_support import EMAIL, PASSWORD, HubClient, add_hub_user
from tests.postgres.schema import server_database_url
from tests.support import seed
from tests.support.server import ServerProcess

EXAMPLES = 40
HOSTILE_TEXT = [
    "\u00b2",  # superscript two: isdigit() but not int()
    "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668",  # Arabic-Indic digits
    "\uff14\uff14\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18",  # fullwidth digits
    "44\u00b2234567890",
    "\x00",
    "a\x00b",
    "",
    " ",
    "1e20",
    "1e300",
    "-1",
    "99999999999999999999999",
    "9" * 5000,
    "NaN",
    "Infinity",
    "0x10",
    "\r\n",
    "\u202e\u200b",
    "%00",
    "x" * 3000,
]
HOSTILE_NUMBERS: list[Any] = [
    1e300,
    -1e300,
    2**63,
    2**64 + 1,
    -(2**63) - 1,
    10**30,
    0.5,
    -1,
    0,
    True,
    None,
]
hostile_text = st.sampled_from(HOSTILE_TEXT) | st.text(max_size=30)
hostile_value = (
    hostile_text | st.sampled_from(HOSTILE_NUMBERS) | st.lists(st.integers(), max_size=2)
)
run_settings = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp(f"inputs-{request.param}")
    env = {"MMGATE_PARTNER_API_REQUESTS_PER_MINUTE": "0", "MMGATE_PARTNER_API_AUTH_FAILURES": "0"}
    if request.param == "sqlite":
        yield from _serve(tmp, env)
        return
    with server_database_url("mmgate_fuzz") as url:
        yield from _serve(tmp, {**env, "MMGATE_DATABASE_URL": url})


def _serve(tmp: Path, env: dict[str, str]) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp / "data", seed.write_seed(tmp), env)
    try:
        with _environment(env):  # the CLI finds the same database as the server
            assert add_hub_user(server, seed.PARTNER_ID, EMAIL, PASSWORD).returncode == 0
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _below_500(response: httpx.Response) -> None:
    assert response.status_code < 500, (
        f"{response.request.method} {response.request.url}: {response.status_code} "
        + response.text[:300]
    )


def _send_body(field: str, value: Any) -> dict[str, Any]:
    template: dict[str, Any] = {
        "name": "marketing_offer_with_link",
        "language": {"policy": "deterministic", "code": "en"},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "Ann"}]},
            {
                "type": "button",
                "sub_type": "url",
                "index": "0",
                "parameters": [{"type": "text", "text": "A1"}],
            },
        ],
    }
    body: dict[str, Any] = {**seed.SEED_EXAMPLE, "template": template}
    if field == "to":
        body["to"] = value
    elif field == "ttl":
        body["message_send_ttl_seconds"] = value
    elif field == "index":
        template["components"][1]["index"] = value
    elif field == "parameter":
        template["components"][0]["parameters"][0]["text"] = value
    elif field == "name":
        template["name"] = value
    elif field == "callback":
        body["biz_opaque_callback_data"] = value
    return body


@pytest.mark.parametrize("field", ["to", "ttl", "index", "parameter", "name", "callback"])
def test_send_fields(server: ServerProcess, field: str) -> None:
    @given(value=hostile_value)
    @run_settings
    def run(value: Any) -> None:
        response = server.send(_send_body(field, value))
        _below_500(response)
        if response.status_code >= 400:
            assert "error" in response.json()["detail"]

    run()


@pytest.mark.parametrize(
    ("to", "accepted"),
    [
        ("441234567890", True),
        ("\uff14\uff14\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10", False),
        ("\u0664\u0664\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660", False),
        ("44123456789\u00b2", False),
    ],
)
def test_only_ascii_digits_make_a_phone_number(
    server: ServerProcess, to: str, accepted: bool
) -> None:
    response = server.send(_send_body("to", to))
    assert (response.status_code == 200) is accepted, response.text


def test_an_empty_template_parameter_is_refused(server: ServerProcess) -> None:
    for text in ("", "   "):
        response = server.send(_send_body("parameter", text))
        assert response.status_code == 400, response.text


def test_idempotency_keys(server: ServerProcess) -> None:
    @given(
        key=st.sampled_from(
            ["k" * 3000, "k" * 256, "\u00b2".encode().decode("latin-1") * 10, "k k"]
        )
        | st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=300)
    )
    @run_settings
    def run(key: str) -> None:
        headers = {"Idempotency-Key": key.encode("latin-1")}
        _below_500(server.send(seed.SEED_EXAMPLE, headers=headers))  # type: ignore[arg-type]

    run()
    long_key = server.send(seed.SEED_EXAMPLE, headers={"Idempotency-Key": "k" * 3000})
    assert long_key.status_code == 400


def test_nul_bytes_anywhere(server: ServerProcess) -> None:
    for method, path in (
        ("POST", "/marketing_messages"),
        ("POST", "/v1/configs/webhook"),
        ("PATCH", f"/api/v2/partners/{seed.PARTNER_ID}"),
    ):
        response = server.http.request(
            method,
            path,
            content=json.dumps({**seed.SEED_EXAMPLE, "to": "4412\u00003456789", "url": "\u0000"}),
            headers={"D360-API-KEY": seed.CHANNEL_KEY, "X-API-Key": seed.PARTNER_KEY},
        )
        assert response.status_code == 400, (path, response.text)
    for path in ("/v1/messages/wamid.%00", "/hub/messages?q=%00", "/sandbox/recipients/1%00"):
        _below_500(server.http.get(path, headers={"D360-API-KEY": seed.CHANNEL_KEY}))


HUB_PAGES = ["/hub/messages", "/hub/webhooks", "/hub/analytics", "/hub/clients", "/hub/channels"]
HUB_PARAMS = ["page", "days", "since", "until", "status", "channel", "q", "route", "kind"]


def test_hub_pages(server: ServerProcess) -> None:
    hub = HubClient(server)
    try:
        assert hub.login().status_code == 303

        @given(
            page=st.sampled_from(HUB_PAGES), name=st.sampled_from(HUB_PARAMS), value=hostile_text
        )
        @run_settings
        def run(page: str, name: str, value: str) -> None:
            _below_500(hub.get(page, **{name: value}))

        run()
        for path in (
            f"/hub/webhooks/{2**63}",
            f"/hub/webhooks/{2**64 + 7}",
            "/hub/messages/\u00b2",
            "/hub/messages/" + "x" * 3000,
            "/hub/messages?page=1e20",
            f"/hub/messages?page={10**30}",
            "/hub/analytics?days=\u00b2",
        ):
            _below_500(hub.http.get(path))
        replay = hub.post(f"/hub/webhooks/{2**63}/replay")
        _below_500(replay)
    finally:
        hub.close()


def _signed(server: ServerProcess, payload: Any) -> httpx.Response:
    raw = json.dumps(payload).encode()
    return server.http.post(
        "/meta/webhook",
        content=raw,
        headers={
            META_SIGNATURE_HEADER: sign(seed.APP_SECRET, raw),
            "Content-Type": "application/json",
        },
    )


def _envelope(where: str, value: Any) -> Any:
    status = {"id": "wamid.x", "status": "delivered", "timestamp": "1", "recipient_id": "1"}
    change: dict[str, Any] = {
        "field": "messages",
        "value": {"metadata": {"phone_number_id": seed.PHONE_NUMBER_ID}, "statuses": [status]},
    }
    entry: dict[str, Any] = {"id": seed.WABA_ID, "changes": [change]}
    payload: dict[str, Any] = {"object": "whatsapp_business_account", "entry": [entry]}
    if where == "payload":
        return value
    if where == "entry":
        payload["entry"] = value
    elif where == "changes":
        entry["changes"] = value
    elif where == "value":
        change["value"] = value
    elif where == "field":
        change["field"] = value
    else:
        change["value"][where] = value
        status["timestamp"] = value if where == "metadata" else status["timestamp"]
    return payload


def test_meta_webhook_with_a_valid_signature(server: ServerProcess) -> None:
    places = [
        "payload",
        "entry",
        "changes",
        "value",
        "field",
        "statuses",
        "contacts",
        "metadata",
        "user_actions",
        "errors",
    ]

    @given(where=st.sampled_from(places), value=hostile_value | st.just({"a": 1}) | st.just([5]))
    @run_settings
    def run(where: str, value: Any) -> None:
        _below_500(_signed(server, _envelope(where, value)))

    run()
    assert _signed(server, _envelope("changes", 5)).status_code == 400


def test_sandbox_api(server: ServerProcess) -> None:
    headers = {"X-Sandbox-Key": seed.SANDBOX_KEY}

    @given(value=hostile_value, number=hostile_text)
    @run_settings
    def run(value: Any, number: str) -> None:
        _below_500(
            server.http.post("/sandbox/clock", json={"advance_seconds": value}, headers=headers)
        )
        segment = quote(number, safe="") or "1"
        path = "/sandbox/recipients/" + segment
        _below_500(
            server.http.put(path, json={"reads": value, "delay_seconds": value}, headers=headers)
        )
        _below_500(server.http.get(path, headers=headers))
        _below_500(server.http.get("/sandbox/phone/" + segment))
        _below_500(
            server.http.post("/sandbox/settings", json={"review_seconds": value}, headers=headers)
        )

    run()
    alive = server.http.get("/sandbox/clock", headers=headers)
    assert alive.status_code == 200 and alive.json()["now"] < 32_503_680_000
