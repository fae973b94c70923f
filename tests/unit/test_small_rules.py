from __future__ import annotations

import json
import random

import pytest

from mmgate.clock import SandboxClock
from mmgate.domain import correlation
from mmgate.domain.clicks import click_ids
from mmgate.domain.retry import SEVEN_DAYS, RetryPolicy
from mmgate.domain.templates import count_placeholders, info_from_graph
from mmgate.emulator.webhook_sender import META_RETRY
from mmgate.errors import GraphError, is_transient, parse_graph_error
from mmgate.ids import new_wamid
from mmgate.sdk.webhooks import changes
from mmgate.signing import sign, sign_delivery, verify, verify_delivery


def test_correlation_round_trip() -> None:
    assert correlation.split(correlation.compose("wamid.A", None)) == ("wamid.A", None)
    assert correlation.split(correlation.compose("wamid.A", "x|y")) == ("wamid.A", "x|y")
    assert correlation.split(correlation.compose("wamid.A", "")) == ("wamid.A", "")
    assert correlation.split("client-only") == (None, "client-only")
    assert correlation.split(None) == (None, None)


def test_signatures() -> None:
    body = b'{"a":1}'
    assert verify("s", body, sign("s", body))
    assert not verify("s", body + b" ", sign("s", body))
    assert not verify("s", body, None)
    header = sign_delivery("s", 1000, body)
    assert verify_delivery("s", 1000, body, header, now=1100)
    assert not verify_delivery("s", 1000, body, header, now=2000)  # too old
    assert not verify_delivery("s", 1001, body, header, now=1001)  # timestamp is signed


def test_retry_policy_backs_off_and_gives_up_after_seven_days() -> None:
    policy = RetryPolicy(jitter=0)
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert policy.delay(40) == policy.max_delay_seconds
    assert policy.next_attempt(1, first_at=0, now=10) == 11
    assert policy.next_attempt(100, first_at=0, now=SEVEN_DAYS) is None


def test_retry_jitter_stays_within_bounds() -> None:
    policy = RetryPolicy(jitter=0.2)
    rng = random.Random(7)
    delays = [policy.delay(3, rng) for _ in range(200)]
    assert min(delays) >= 3.2 and max(delays) <= 4.8
    assert len(set(delays)) > 100


def test_sandbox_clock() -> None:
    clock = SandboxClock(frozen_at=1000.0)
    seen: list[float] = []
    clock.on_change(lambda: seen.append(clock.now()))
    assert clock.advance(30) == 1030.0
    assert seen == [1030.0]
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_wamid_format() -> None:
    wamid = new_wamid("441234567890")
    assert wamid.startswith("wamid.HBg")
    assert new_wamid("441234567890") != wamid


def test_template_info_from_graph() -> None:
    info = info_from_graph(
        {
            "name": "t",
            "language": "en",
            "status": "APPROVED",
            "category": "MARKETING",
            "components": [
                {"type": "BODY", "text": "Hi {{1}} and {{2}}, {{1}}"},
                {
                    "type": "BUTTONS",
                    "buttons": [
                        {"type": "QUICK_REPLY", "text": "x"},
                        {"type": "URL", "url": "https://a/{{1}}"},
                    ],
                },
            ],
            "message_send_ttl_seconds": "43200",
        }
    )
    assert info is not None
    assert (info.body_params, info.url_button_params, info.ttl_seconds) == (2, (1,), 43200)
    assert count_placeholders("{{name}} {{ code }}") == 2
    assert info_from_graph({"name": 3}) is None


def test_graph_error_shapes_and_parsing() -> None:
    error = GraphError(134100)
    body = error.graph_body()
    assert body["error"]["message"] == "(#134100) Only marketing messages supported"
    assert body["error"]["error_data"]["messaging_product"] == "whatsapp"
    wrapped = error.d360_body()
    assert set(wrapped) == {"detail"} and wrapped["detail"]["error"]["code"] == 134100
    parsed = parse_graph_error(body, 400)
    assert (parsed.code, parsed.details) == (134100, error.details)
    assert parse_graph_error({"detail": body}, 400).code == 134100
    assert parse_graph_error("nonsense", 502).code == 131000
    hook = error.webhook_error()
    assert hook["title"] == hook["message"] and hook["href"].endswith("error-codes")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9000/hook",
        "http://169.254.169.254/latest",
        "http://10.0.0.5/x",
        "http://[::1]/x",
        "http://localhost/hook",
    ],
)
def test_webhook_urls_to_private_addresses_are_refused_in_production(url: str) -> None:
    import anyio

    from mmgate.delivery.url_guard import check_webhook_url

    with pytest.raises(GraphError):
        anyio.run(lambda: check_webhook_url(url, allow_private=False))
    anyio.run(lambda: check_webhook_url(url, allow_private=True))  # sandbox mode


@pytest.mark.parametrize("url", ["ftp://example.com/x", "/relative", "http://"])
def test_webhook_urls_must_be_http(url: str) -> None:
    import anyio

    from mmgate.delivery.url_guard import check_webhook_url

    with pytest.raises(GraphError):
        anyio.run(lambda: check_webhook_url(url, allow_private=True))


@pytest.mark.parametrize(
    ("code", "http_status", "transient"),
    [
        (130429, 400, True),  # throughput, whatever the status
        (131000, 500, True),
        (131016, 503, True),
        (1360001, 502, True),  # mmgate: upstream not available
        (80007, 400, True),
        (131056, 400, True),  # pair rate limit: Meta says wait and retry
        (None, 429, True),  # a 429 without a code (360dialog's own rate limit)
        (None, 502, True),  # a proxy's HTML error page
        (999999, 500, True),  # a server error the catalogue does not know
        (134102, 500, False),  # a permanent refusal that happens to be a 500
        (132001, 404, False),
        (100, 400, False),
    ],
)
def test_one_transient_rule_for_the_sdk_and_the_upstream_dispatch(
    code: int | None, http_status: int, transient: bool
) -> None:
    assert is_transient(code, http_status) is transient


def test_one_walk_of_metas_envelope_skips_what_is_not_the_documented_shape() -> None:
    value = {"statuses": [{"id": "wamid.A"}]}
    body = {
        "entry": [
            5,
            {"id": "W", "time": "1700000000", "changes": 5},
            {"id": "W", "changes": ["x", {"field": "messages", "value": [1]}]},
            {"id": 42, "time": 1700000000, "changes": [{"field": "messages", "value": value}]},
        ]
    }
    found = list(changes(body))
    assert [(c.entry_id, c.time, c.field, c.value) for c in found] == [
        ("42", 1700000000, "messages", value)
    ]
    assert list(changes([body])) == [] and list(changes({"entry": {"a": 1}})) == []


def test_click_ids_come_from_the_sdk_parser() -> None:
    action = {
        "action_type": "marketing_messages_link_click",
        "marketing_messages_link_click_data": {"click_id": 7},
    }
    other = {"action_type": "something_newer"}
    value = {"user_actions": [action, other, {"action_type": "marketing_messages_link_click"}]}
    body = json.dumps({"entry": [{"changes": [{"field": "messages", "value": value}]}]})
    assert click_ids(body.encode()) == ["7", None]
    assert click_ids(b"not json") == [] and click_ids(None) == []


def test_metas_callback_retries_are_the_one_policy_with_metas_numbers() -> None:
    first = 1_000.0
    for attempt in range(1, 25):  # 2 s doubling, at most an hour apart
        assert META_RETRY.next_attempt(attempt, first, first) == first + min(2.0**attempt, 3600.0)
    assert META_RETRY.next_attempt(30, first, first + SEVEN_DAYS) is None  # dropped after 7 days
