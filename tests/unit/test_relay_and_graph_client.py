"""The relay of Meta's statuses (services/relay.py) and the one Graph client (upstream/graph.py),
without a server: the client is given an answering HttpClient at the network seam."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from mmgate.domain import correlation
from mmgate.errors import GraphError
from mmgate.httpclient import HttpResponse, RequestFailed
from mmgate.services.relay import status_relays
from mmgate.upstream.graph import GraphClient, UpstreamUnavailable, is_retryable


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def webhook(*statuses: dict[str, Any], contacts: list[dict[str, Any]] | None = None) -> Any:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001", "phone_number_id": "PN1"},
        "contacts": contacts or [],
        "statuses": list(statuses),
    }
    return {"entry": [{"id": "WABA1", "changes": [{"field": "messages", "value": value}]}]}


async def no_lookup(meta_wamid: str) -> str | None:
    return {"wamid.META": "wamid.OURS"}.get(meta_wamid)


@pytest.mark.anyio
async def test_a_status_is_relayed_under_our_wamid_with_the_clients_own_callback_data() -> None:
    carried = correlation.compose("wamid.OURS", "client-ref")
    status = {
        "id": "wamid.META",
        "status": "delivered",
        "timestamp": "1700000000",
        "recipient_id": "4477",
        "biz_opaque_callback_data": carried,
        "pricing": {"category": "marketing_lite"},
    }
    contacts = [{"wa_id": "4477"}, {"wa_id": "other"}]
    relays = await status_relays(webhook(status, contacts=contacts), no_lookup)
    (update,) = relays.updates
    assert (update.wamid, update.status, update.at) == ("wamid.OURS", "delivered", 1700000000.0)
    assert update.route_taken == "mm_api"
    value = json.loads(update.relay_body)["entry"][0]["changes"][0]["value"]
    assert value["statuses"][0]["id"] == "wamid.OURS"
    assert value["statuses"][0]["biz_opaque_callback_data"] == "client-ref"
    assert value["contacts"] == [{"wa_id": "4477"}]  # only the status's recipient


@pytest.mark.anyio
async def test_meta_wamids_are_looked_up_and_unknown_ones_go_to_the_number_as_sent() -> None:
    failed = {
        "id": "wamid.META",
        "status": "failed",
        "errors": [{"code": 131026, "title": "Message undeliverable"}],
    }
    foreign = {"id": "wamid.ELSEWHERE", "status": "sent"}
    relays = await status_relays(webhook(failed, foreign), no_lookup)
    (update,) = relays.updates
    assert update.wamid == "wamid.OURS" and update.error == "131026: Message undeliverable"
    assert update.at == 0.0 and update.route_taken is None  # no timestamp, no pricing
    ((phone_number_id, body),) = relays.foreign
    assert phone_number_id == "PN1"
    assert json.loads(body)["entry"][0]["changes"][0]["value"]["statuses"] == [foreign]


class Answering:
    """An HttpClient that answers every request with one canned answer (or failure)."""

    def __init__(self, answer: HttpResponse | RequestFailed) -> None:
        self.answer = answer
        self.requests: list[tuple[str, str, Mapping[str, str] | None, bytes | None]] = []

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        time_limit: float | None = None,
    ) -> HttpResponse:
        self.requests.append((method, url, headers, body))
        if isinstance(self.answer, RequestFailed):
            raise self.answer
        return self.answer

    async def aclose(self) -> None:
        return None


def answer(status: int, body: Any) -> HttpResponse:
    return HttpResponse(status, {"content-type": "application/json"}, json.dumps(body).encode())


@pytest.mark.anyio
async def test_a_send_goes_to_the_versioned_url_with_the_token_and_returns_metas_wamid() -> None:
    http = Answering(answer(200, {"messages": [{"id": "wamid.META"}]}))
    graph = GraphClient("https://graph.example/", "v23.0", "tok", http=http)
    assert await graph.send("PN1", "marketing_messages", b"{}") == "wamid.META"
    ((method, url, headers, body),) = http.requests
    assert (method, url, body) == (
        "POST",
        "https://graph.example/v23.0/PN1/marketing_messages",
        b"{}",
    )
    assert headers is not None and headers["Authorization"] == "Bearer tok"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "body", "code", "retryable"),
    [
        (
            400,
            {"error": {"code": 131009, "message": "bad", "error_data": {"details": "x"}}},
            131009,
            False,
        ),
        (400, {"error": {"code": 130429, "message": "slow"}}, 130429, True),
        (500, {"error": {"code": 134102, "message": "no"}}, 134102, False),
        (502, "<html>bad gateway</html>", 131000, True),
    ],
)
async def test_metas_errors_become_graph_errors_classified_by_the_one_transient_rule(
    status: int, body: Any, code: int, retryable: bool
) -> None:
    graph = GraphClient(
        "https://graph.example", "v23.0", "tok", http=Answering(answer(status, body))
    )
    with pytest.raises(GraphError) as raised:
        await graph.send("PN1", "messages", b"{}")
    assert raised.value.code == code and raised.value.http_status == status
    assert is_retryable(raised.value) is retryable


@pytest.mark.anyio
@pytest.mark.parametrize("may_have_arrived", [True, False])
async def test_no_answer_is_upstream_unavailable_saying_whether_the_send_may_have_arrived(
    may_have_arrived: bool,
) -> None:
    failure = RequestFailed("timed out", may_have_arrived=may_have_arrived)
    graph = GraphClient("https://graph.example", "v23.0", "tok", http=Answering(failure))
    with pytest.raises(UpstreamUnavailable) as raised:
        await graph.send("PN1", "messages", b"{}")
    assert raised.value.may_have_arrived is may_have_arrived


@pytest.mark.anyio
async def test_an_answer_without_a_message_id_is_an_error_not_a_crash() -> None:
    graph = GraphClient("https://graph.example", "v23.0", "tok", http=Answering(answer(200, {})))
    with pytest.raises(GraphError) as raised:
        await graph.send("PN1", "messages", b"{}")
    assert raised.value.code == 131000
