"""`POST /v1/configs/webhook` refuses headers that would break every delivery, at once."""

from __future__ import annotations

import pytest

from tests.support import seed
from tests.support.inprocess import InProcessApp

KEY = {"D360-API-KEY": seed.CHANNEL_KEY}


@pytest.mark.anyio
@pytest.mark.parametrize(
    "headers",
    [{"Content-Length": "0"}, {"Transfer-Encoding": "chunked"}, {"Host": "x"}, {"X-A": "a\x00"}],
)
async def test_breaking_headers_are_refused_when_configured(
    app: InProcessApp, headers: dict[str, str]
) -> None:
    before = await app.http.get("/v1/configs/webhook", headers=KEY)
    response = await app.http.post(
        "/v1/configs/webhook",
        json={"url": "http://127.0.0.1:9/hook", "headers": headers},
        headers=KEY,
    )
    assert response.status_code == 400
    assert response.json()["detail"]["error"]["code"] == 100
    after = await app.http.get("/v1/configs/webhook", headers=KEY)
    assert after.json() == before.json()
