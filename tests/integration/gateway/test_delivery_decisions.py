"""What the gateway decides after each answer from a client's webhook endpoint, one row per
answer: delivered, retried later, held, or given up — read back from the delivery log; and
what a message's TTL decides upstream: expired, or delivered late but in time.

The app runs in this process (tests/support/inprocess.py); the endpoint is the real receiver.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest

from tests.support import seed
from tests.support.inprocess import InProcessApp, in_process_app
from tests.support.receiver import WebhookReceiver

PARTNER = f"/api/v2/partners/{seed.PARTNER_ID}"
HEADERS = {"X-API-Key": seed.PARTNER_KEY}
HOUR, DAY = 3600, 86_400
IN_600_SECONDS = "<an HTTP date 600 s after the first attempt>"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass(frozen=True)
class Row:
    status: int
    then_advance: float  # seconds after the first attempt
    retried: bool  # by then: attempted again (at least once), or still the one attempt
    headers: dict[str, str] = field(default_factory=dict)
    retry_4xx: bool | None = False  # webhook_retry_4xx; None: the setting's default


ROWS = {
    "2xx is delivered, once": Row(200, DAY, retried=False),
    "5xx is retried": Row(503, 2 * HOUR, retried=True),
    "410 is never retried": Row(410, DAY, retried=False),
    "4xx is final with webhook_retry_4xx=False": Row(400, DAY, retried=False),
    "4xx is retried with webhook_retry_4xx": Row(400, 2 * HOUR, retried=True, retry_4xx=True),
    "4xx is retried by default (as Meta does)": Row(400, 2 * HOUR, True, retry_4xx=None),
    "Retry-After is honoured: not before": Row(503, 300, False, {"Retry-After": "600"}),
    "Retry-After is honoured: after": Row(503, 700, True, {"Retry-After": "600"}),
    # The other form of the header: an HTTP date, read against the gateway's clock.
    "Retry-After as a date: not before": Row(503, 300, False, {"Retry-After": IN_600_SECONDS}),
    "Retry-After as a date: after": Row(503, 700, True, {"Retry-After": IN_600_SECONDS}),
    # A 429 asks for a pause, not an end: retried after its Retry-After even where 4xx
    # answers are final.
    "429 waits its Retry-After": Row(429, 30, False, {"Retry-After": "60"}),
    "429 is retried after it": Row(429, 120, True, {"Retry-After": "60"}),
}


@pytest.fixture
async def app(
    tmp_path: Path, receiver: WebhookReceiver, request: pytest.FixtureRequest
) -> AsyncIterator[InProcessApp]:
    row: Row = request.param
    async with in_process_app(tmp_path, webhook_retry_4xx=row.retry_4xx) as app:
        await app.set_webhook(receiver.url)
        yield app


async def first_delivery(app: InProcessApp) -> dict[str, Any]:
    """The first webhook delivery to the channel, with its attempts."""
    for _ in range(20):  # each advance(0) lets due work settle; no sleeping
        listed = await app.http.get(PARTNER + "/webhook_deliveries", headers=HEADERS)
        deliveries = sorted(listed.json()["data"]["deliveries"], key=lambda d: d["id"])
        if deliveries:
            detail = await app.http.get(
                f"{PARTNER}/webhook_deliveries/{deliveries[0]['id']}", headers=HEADERS
            )
            if detail.json()["data"]["attempts"]:
                found: dict[str, Any] = detail.json()["data"]
                return found
        await app.advance(0)
    raise AssertionError("no delivery was attempted")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("app", "row"), [(r, r) for r in ROWS.values()], ids=list(ROWS), indirect=["app"]
)
async def test_what_follows_each_answer(
    app: InProcessApp, receiver: WebhookReceiver, row: Row
) -> None:
    first_attempt_at = await app.advance(0) + 1  # the first attempt follows `advance(1)`
    date = formatdate(first_attempt_at + 600, usegmt=True)
    headers = {k: date if v == IN_600_SECONDS else v for k, v in row.headers.items()}
    receiver.answer_status, receiver.answer_headers = row.status, headers
    sent = await app.send({**seed.SEED_EXAMPLE, "to": "447700900021"})
    assert sent.status_code == 200, sent.text
    await app.advance(1)
    assert [a["status_code"] for a in (await first_delivery(app))["attempts"]] == [row.status]
    for _ in range(int(row.then_advance // 60)):  # minute steps: each due retry gets its turn
        await app.advance(60)
    codes = [a["status_code"] for a in (await first_delivery(app))["attempts"]]
    assert set(codes) == {row.status}
    assert (len(codes) > 1) is row.retried, codes


EXPIRY_ROWS = {
    # recipient suffix, template (its TTL), hours later, the message's state then
    "never online, 12 h TTL: expired": ("0009", "short_ttl_promo", 13, "expired"),
    "offline 24 h, 12 h TTL: expired": ("0001", "short_ttl_promo", 25, "expired"),
    "offline 24 h, 30-day TTL: read by day two": ("0001", "marketing_text_no_param", 48, "read"),
}


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("suffix", "template", "hours", "state"), EXPIRY_ROWS.values(), ids=list(EXPIRY_ROWS)
)
async def test_a_message_not_delivered_within_its_ttl_expires(
    tmp_path: Path, suffix: str, template: str, hours: int, state: str
) -> None:
    async with in_process_app(tmp_path) as app:
        body = {
            **seed.SEED_EXAMPLE,
            "to": f"44770090{suffix}",
            "template": {"name": template, "language": {"policy": "deterministic", "code": "en"}},
        }
        sent = await app.send(body)
        assert sent.status_code == 200, sent.text
        for _ in range(hours):
            await app.advance(HOUR)
        assert (await app.message(sent.json()["messages"][0]["id"]))["status"] == state
