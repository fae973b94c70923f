"""Every documented test number through both send endpoints, the clock moved past 12 hours,
24 hours, 7 days and 30 days: exactly the webhooks and message states docs/test-numbers.md
lists, no more (the issue's own check)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from tests.integration.emulator.support import clicks, offer, send_async
from tests.support.inprocess import InProcessApp
from tests.support.receiver import Received, WebhookReceiver, statuses

pytestmark = pytest.mark.anyio

HOUR = 3600
DAY = 24 * HOUR
ENDPOINTS = ("/marketing_messages", "/messages")

# suffix -> (statuses the client has after 12 h, after 24 h and later, final message state,
#            error code of the failure, click webhooks)
EXPECTED: dict[str, tuple[list[str], list[str], str, int | None, int]] = {
    "0000": (["failed"], ["failed"], "failed", 131026, 0),
    "0001": (["sent"], ["sent", "delivered", "read"], "read", None, 0),
    "0002": (["sent", "delivered"], ["sent", "delivered"], "delivered", None, 0),
    "0003": (["sent", "delivered", "read"], ["sent", "delivered", "read"], "read", None, 1),
    "0004": (["failed"], ["failed"], "failed", 131050, 0),
    "0005": (["failed"], ["failed"], "failed", 131049, 0),
    "0006": (["sent", "delivered", "read"], ["sent", "delivered", "read"], "read", None, 0),
    "0009": (["sent"], ["sent"], "expired", None, 0),
    "us": (["failed"], ["failed"], "failed", 131049, 0),
}


def _number(endpoint: int, suffix: str) -> str:
    if suffix == "us":
        return f"1202555{endpoint:02d}17"  # any +1 number: Meta blocks marketing to the US
    return f"4477009{endpoint:02d}{suffix}"


def _by_wamid(requests: list[Received]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for status in statuses(requests):
        found[status["id"]].append(status)
    return found


async def test_each_test_number_on_each_endpoint_over_thirty_days(
    app: InProcessApp, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url)
    sent: dict[str, str] = {}  # wamid -> suffix
    for e, endpoint in enumerate(ENDPOINTS):
        for suffix in EXPECTED:
            sent[await send_async(app, offer(_number(e, suffix)), path=endpoint)] = suffix
    expected_at_12h = sum(len(EXPECTED[s][0]) for s in sent.values())
    expected_final = sum(len(EXPECTED[s][1]) for s in sent.values())

    await app.advance(12 * HOUR + 60)
    got = _by_wamid(await receiver.wait_for_async(lambda r: len(statuses(r)) >= expected_at_12h))
    for wamid, suffix in sent.items():
        assert [s["status"] for s in got[wamid]] == EXPECTED[suffix][0], suffix
    assert (await app.message(next(w for w, s in sent.items() if s == "0001")))["status"] == "sent"

    for step in (12 * HOUR, 6 * DAY, 23 * DAY + HOUR):  # past 24 h, 7 days, 30 days
        await app.advance(step)
    await app.advance(1)  # a move first settles what was due: the expiry sweep has run (0009)
    requests = await receiver.wait_for_async(lambda r: len(statuses(r)) >= expected_final)
    got = _by_wamid(requests)
    assert len(statuses(requests)) == expected_final  # nothing more, nothing twice
    for wamid, suffix in sent.items():
        _, final, state, code, _ = EXPECTED[suffix]
        mine = got[wamid]
        assert [s["status"] for s in mine] == final, suffix
        if code is not None:
            assert mine[-1]["errors"][0]["code"] == code, suffix
        else:
            assert mine[0]["pricing"]["category"] == "marketing_lite", suffix  # via MM API
        assert (await app.message(wamid))["status"] == state, suffix
    # One click per 0003 send (both endpoints route marketing via MM API), none else.
    assert len(clicks(requests)) == sum(EXPECTED[s][4] for s in sent.values())
