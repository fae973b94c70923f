"""Retries never double-send: one Idempotency-Key per logical send, reused by every attempt.

The faults are made at the transport seam (httpx transports in front of the real app, in
this process), the way a flaky network makes them; nothing of ours is replaced.
"""

from __future__ import annotations

import httpx
import pytest

from mmgate.sdk import (
    AsyncClient,
    Client,
    RateLimited,
    Retry,
    TemplateMessage,
    TemplateNotFound,
    TransportError,
)
from tests.integration.sdk.conftest import FAST_RETRY
from tests.integration.sdk.gateway_db import accepted_per_recipient
from tests.support import seed
from tests.support.inprocess import InProcessApp, ThreadedApp
from tests.support.server import free_port


class LosesAnswers(httpx.BaseTransport):
    """Delivers each request to the app, then loses the first `lose` answers on the way back."""

    def __init__(self, lose: int, real: httpx.BaseTransport) -> None:
        self.lose = lose
        self.keys: list[str | None] = []
        self._real = real

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.keys.append(request.headers.get("idempotency-key"))
        response = self._real.handle_request(request)
        response.read()
        if len(self.keys) <= self.lose:
            raise httpx.ReadError("connection reset after the request was sent", request=request)
        return response

    def close(self) -> None:
        self._real.close()


class AsyncLosesAnswers(httpx.AsyncBaseTransport):
    def __init__(self, lose: int, real: httpx.AsyncBaseTransport) -> None:
        self.lose = lose
        self.keys: list[str | None] = []
        self._real = real

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.keys.append(request.headers.get("idempotency-key"))
        response = await self._real.handle_async_request(request)
        await response.aread()
        if len(self.keys) <= self.lose:
            raise httpx.ReadError("connection reset after the request was sent", request=request)
        return response

    async def aclose(self) -> None:
        await self._real.aclose()


class Answers(httpx.BaseTransport):
    """Answers from a script first, then lets requests through to the app."""

    def __init__(self, *scripted: httpx.Response, real: httpx.BaseTransport) -> None:
        self.scripted = list(scripted)
        self.keys: list[str | None] = []
        self._real = real

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.keys.append(request.headers.get("idempotency-key"))
        if self.scripted:
            return self.scripted.pop(0)
        return self._real.handle_request(request)

    def close(self) -> None:
        self._real.close()


def _client(served: ThreadedApp, transport: httpx.BaseTransport) -> Client:
    return Client(
        seed.CHANNEL_KEY,
        base_url=served.base_url,
        retry=FAST_RETRY,
        http=httpx.Client(transport=transport),
    )


def test_a_lost_answer_is_retried_with_the_same_key_and_sent_once(served: ThreadedApp) -> None:
    transport = LosesAnswers(lose=2, real=served.transport())

    with _client(served, transport) as client:
        sent = client.send_marketing_message(
            TemplateMessage.build("447700900701", "marketing_text_no_param")
        )

    assert len(transport.keys) == 3
    assert len(set(transport.keys)) == 1 and transport.keys[0]
    assert accepted_per_recipient(served)["447700900701"] == 1
    assert served.message(sent.wamid)["recipient"] == "447700900701"


@pytest.mark.anyio
async def test_async_client_retries_the_same_way(app: InProcessApp) -> None:
    transport = AsyncLosesAnswers(lose=1, real=httpx.ASGITransport(app=app.app))

    async with AsyncClient(
        seed.CHANNEL_KEY,
        base_url=app.base_url,
        retry=FAST_RETRY,
        http=httpx.AsyncClient(transport=transport),
    ) as client:
        message = TemplateMessage.build("447700900702", "marketing_text_no_param")
        wamid = (await client.send_marketing_message(message)).wamid

    assert len(transport.keys) == 2 and len(set(transport.keys)) == 1
    assert accepted_per_recipient(app)["447700900702"] == 1
    assert wamid.startswith("wamid.")


def test_5xx_and_throughput_errors_are_retried_then_the_send_goes_through(
    served: ThreadedApp,
) -> None:
    throughput = {"detail": {"error": {"message": "(#130429) Rate limit hit", "code": 130429}}}
    transport = Answers(
        httpx.Response(503, text="upstream busy"),
        httpx.Response(400, json=throughput),
        real=served.transport(),
    )

    with _client(served, transport) as client:
        client.send_marketing_message(
            TemplateMessage.build("447700900703", "marketing_text_no_param"),
            idempotency_key="campaign-7-row-3",
        )

    assert transport.keys == ["campaign-7-row-3"] * 3
    assert accepted_per_recipient(served)["447700900703"] == 1


def test_rate_limiting_that_outlasts_the_retries_is_raised(served: ThreadedApp) -> None:
    slow_down = (httpx.Response(429, json={"error": "slow down"}) for _ in range(3))
    transport = Answers(*slow_down, real=served.transport())

    with _client(served, transport) as client, pytest.raises(RateLimited) as caught:
        client.send_marketing_message(seed.SEED_EXAMPLE)

    assert (caught.value.http_status, len(transport.keys)) == (429, 3)


def test_a_refused_send_is_not_retried(served: ThreadedApp) -> None:
    transport = Answers(real=served.transport())

    with _client(served, transport) as client, pytest.raises(TemplateNotFound):
        client.send_marketing_message(TemplateMessage.build("447700900704", "no_such_template"))

    assert len(transport.keys) == 1


def test_an_unreachable_server_is_a_transport_error_after_the_retries() -> None:
    client = Client("key", base_url=f"http://127.0.0.1:{free_port()}", retry=FAST_RETRY)

    with client, pytest.raises(TransportError, match=r"cannot reach http://127\.0\.0\.1"):
        client.get_webhook()


def _answer(status: int, body: object = None, text: str = "") -> httpx.Response:
    if body is not None:
        return httpx.Response(status, json=body)
    return httpx.Response(status, text=text)


@pytest.mark.parametrize(
    ("response", "retried"),
    [
        (_answer(200, {}), False),
        (_answer(429, {"error": "slow down"}), True),
        (_answer(400, {"detail": {"error": {"code": 130429, "message": "Rate limit hit"}}}), True),
        (_answer(502, text="<html>bad gateway</html>"), True),
        (_answer(500, {"detail": {"error": {"code": 131000, "message": "Something"}}}), True),
        (_answer(502, {"detail": {"error": {"code": 1360001, "message": "Upstream"}}}), True),
        # A 5xx that names a permanent error would fail the same way again.
        (_answer(500, {"detail": {"error": {"code": 134102, "message": "Template"}}}), False),
        (_answer(404, {"detail": {"error": {"code": 132001, "message": "Template"}}}), False),
        (_answer(401, {"error": "Invalid api token."}), False),
    ],
)
def test_retry_policy(response: httpx.Response, retried: bool) -> None:
    assert Retry().should_retry(response) is retried


def test_backoff_doubles_is_capped_and_honours_retry_after_within_the_cap() -> None:
    retry = Retry(backoff_seconds=0.5, max_backoff_seconds=3.0, jitter=0.0)

    assert [retry.delay(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 3.0]
    assert retry.delay(1, retry_after="2") == 2.0
    assert retry.delay(1, retry_after="3600") == 3.0
    assert retry.delay(2, retry_after="Wed, 21 Oct 2015 07:28:00 GMT") == 1.0


def test_attempts_count_the_first_try() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Retry(attempts=0)
