"""`POST /v1/configs/webhook` refuses headers that would break every delivery, at once."""

from __future__ import annotations

import pytest

from tests.support import seed
from tests.support.server import ServerProcess


@pytest.mark.parametrize(
    "headers",
    [{"Content-Length": "0"}, {"Transfer-Encoding": "chunked"}, {"Host": "x"}, {"X-A": "a\x00"}],
)
def test_breaking_headers_are_refused_when_configured(
    server: ServerProcess, headers: dict[str, str]
) -> None:
    before = server.http.get("/v1/configs/webhook", headers={"D360-API-KEY": seed.CHANNEL_KEY})
    response = server.http.post(
        "/v1/configs/webhook",
        json={"url": "http://127.0.0.1:9/hook", "headers": headers},
        headers={"D360-API-KEY": seed.CHANNEL_KEY},
    )
    assert response.status_code == 400
    assert response.json()["detail"]["error"]["code"] == 100
    after = server.http.get("/v1/configs/webhook", headers={"D360-API-KEY": seed.CHANNEL_KEY})
    assert after.json() == before.json()
