"""Each surface's error shape, rendered in one place (mmgate/web/surfaces.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mmgate.errors import GraphError, Refusal
from mmgate.web.surfaces import error_response


def rendered(path: str, exc: Exception) -> tuple[int, Any]:
    response = error_response(path, exc)
    body = bytes(response.body)
    if response.media_type == "application/json":
        return response.status_code, json.loads(body)
    return response.status_code, body.decode()


@pytest.mark.parametrize("path", ["/messages", "/marketing_messages", "/v1/configs/webhook"])
def test_messaging_api_wraps_metas_error_in_detail(path: str) -> None:
    status, body = rendered(path, GraphError(132001))
    assert status == 404 and body["detail"]["error"]["code"] == 132001
    status, body = rendered(path, Refusal(413, "too big"))
    assert status == 413 and body["detail"]["error"]["code"] == 1360004
    assert rendered(path, Refusal(401, "Invalid api token.")) == (
        401,
        {"error": "Invalid api token."},
    )


def test_graph_api_answers_metas_error_object() -> None:
    status, body = rendered("/graph/v23.0/123/messages", GraphError(131009, "bad"))
    assert status == 400 and body["error"]["code"] == 131009
    assert body["error"]["error_data"]["details"] == "bad"
    status, body = rendered("/graph/v23.0/123", Refusal(400, "nope"))
    assert status == 400 and body["error"]["code"] == 100


def test_partner_api_answers_in_its_envelope_with_headers() -> None:
    response = error_response(
        "/api/v2/partners/p1/clients", Refusal(429, "slow", {"Retry-After": "3"})
    )
    assert response.headers["retry-after"] == "3"
    body = json.loads(bytes(response.body))
    assert body["status_code"] == 429 and body["meta"]["developer_message"] == "slow"
    assert body["meta"]["success"] is False and body["data"] == {}
    status, body = rendered("/api/v2/partners/p1", GraphError(100, "webhook_url: private"))
    assert status == 400 and body["meta"]["developer_message"] == "webhook_url: private"


def test_sandbox_and_other_paths() -> None:
    assert rendered("/sandbox/clock", Refusal(401, "key")) == (
        401,
        {"error": {"message": "key", "code": 401}},
    )
    assert rendered("/meta/webhook", Refusal(400, "invalid JSON")) == (400, "invalid JSON")


@pytest.mark.parametrize(
    ("path", "code"), [("/messages", 131000), ("/graph/v23.0/1/messages", 131000)]
)
def test_an_unexpected_error_is_a_500_in_the_surface_shape_without_a_trace(
    path: str, code: int, caplog: pytest.LogCaptureFixture
) -> None:
    status, body = rendered(path, RuntimeError("secret detail"))
    assert status == 500 and f'"code": {code}' in json.dumps(body)
    assert "secret detail" not in json.dumps(body)
    assert "failed unexpectedly" in caplog.text
