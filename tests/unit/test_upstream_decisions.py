"""What the upstream dispatcher decides for each answer Meta gives (or does not give):
the table of outcomes the outbox worker records. A send is repeated only when it provably
never reached Meta; one that may have is `unknown`, never sent again."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from mmgate.clock import SandboxClock
from mmgate.delivery.records import UpstreamRequest, encode_request
from mmgate.delivery.upstream_dispatch import IN_DOUBT, UpstreamDispatcher
from mmgate.domain import lifecycle
from mmgate.domain.retry import RetryPolicy
from mmgate.httpclient import HttpResponse, RequestFailed
from mmgate.storage.port import (
    UPSTREAM_SEND,
    Job,
    Rescheduled,
    SendAccepted,
    SendSettled,
)
from mmgate.upstream.graph import GraphClient
from tests.unit.test_relay_and_graph_client import Answering, answer

pytestmark = pytest.mark.anyio
NOW = 1_700_000_000.0
TTL_END = NOW + 43_200


def _job(*, started_at: float | None = None, expires_at: float = TTL_END) -> Job:
    request = UpstreamRequest(
        "PN1", "+44 20", "WABA1", "marketing_messages", "441234567890", b"{}", expires_at
    )
    return Job(
        1,
        UPSTREAM_SEND,
        "wamid.OURS",
        None,
        encode_request(request),
        1,
        NOW,
        started_at=started_at,
        tenant="ch1",
    )


def _error(code: int, status: int) -> HttpResponse:
    return answer(status, {"error": {"message": "m", "type": "OAuthException", "code": code}})


@dataclass(frozen=True)
class Row:
    answer: HttpResponse | RequestFailed
    job: Job
    expect: type
    status: str | None = None  # for a settle
    sent: bool = True  # whether a request went to Meta


TABLE = {
    "Meta took it": Row(answer(200, {"messages": [{"id": "wamid.META"}]}), _job(), SendAccepted),
    "Meta refused it: failed, relayed": Row(
        _error(131026, 400), _job(), SendSettled, lifecycle.FAILED
    ),
    "a transient error is retried later": Row(_error(131000, 500), _job(), Rescheduled),
    "no answer, and it may have arrived: unknown": Row(
        RequestFailed("read timeout", may_have_arrived=True),
        _job(),
        SendSettled,
        lifecycle.UNKNOWN,
    ),
    "no answer, provably never left: retried": Row(
        RequestFailed("connection refused", may_have_arrived=False), _job(), Rescheduled
    ),
    "started by a worker that stopped: in doubt, not sent again": Row(
        answer(200, {}), _job(started_at=NOW - 90), SendSettled, lifecycle.UNKNOWN, sent=False
    ),
    "past its TTL: expired, not sent": Row(
        answer(200, {}), _job(expires_at=NOW - 1), SendSettled, lifecycle.EXPIRED, sent=False
    ),
}


@pytest.mark.parametrize("row", TABLE.values(), ids=TABLE.keys())
async def test_what_the_dispatcher_decides(row: Row) -> None:
    http = Answering(row.answer)
    graph = GraphClient("https://graph.example/", "v23.0", "tok", http=http)
    # `handle` decides only; the store is used by `prepare` (the started mark), not here.
    dispatcher = UpstreamDispatcher(
        SandboxClock(frozen_at=NOW),
        graph,
        RetryPolicy(),
        None,  # type: ignore[arg-type]
        report_expired_as_failed=False,
    )
    (outcome,) = await dispatcher.handle(row.job)
    assert isinstance(outcome, row.expect)
    assert bool(http.requests) == row.sent
    if isinstance(outcome, SendSettled):
        assert outcome.status == row.status
        if row.status == lifecycle.FAILED:
            assert outcome.relay_body is not None
            status = json.loads(outcome.relay_body)["entry"][0]["changes"][0]["value"]
            assert status["statuses"][0]["errors"][0]["code"] == 131026
        else:
            assert outcome.relay_body is None  # Meta says nothing of these (yet)
        if not row.sent and row.status == lifecycle.UNKNOWN:
            assert outcome.error == IN_DOUBT
    if isinstance(outcome, Rescheduled):
        assert NOW < outcome.run_at < TTL_END
