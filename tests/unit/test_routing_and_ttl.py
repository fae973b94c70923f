from __future__ import annotations

import pytest

from mmgate.domain.payloads import EntryPoint
from mmgate.domain.routing import Route, UpstreamEndpoint, decide_route, route_from_pricing
from mmgate.domain.ttl import THIRTY_DAYS, resolve_ttl
from mmgate.errors import GraphError

MM = (UpstreamEndpoint.MARKETING_MESSAGES, Route.MM_API)
CLOUD = (UpstreamEndpoint.MESSAGES, Route.CLOUD_API)


@pytest.mark.parametrize(
    ("entry", "kind", "category", "routing", "expected"),
    [
        (EntryPoint.MARKETING_MESSAGES, "template", "MARKETING", True, MM),
        (EntryPoint.MARKETING_MESSAGES, "template", "MARKETING", False, MM),
        (EntryPoint.MESSAGES, "template", "MARKETING", True, MM),
        (EntryPoint.MESSAGES, "template", "MARKETING", False, CLOUD),
        (EntryPoint.MESSAGES, "template", "UTILITY", True, CLOUD),
        (EntryPoint.MESSAGES, "text", None, True, CLOUD),
    ],
)
def test_decision_table(entry, kind, category, routing, expected) -> None:  # type: ignore[no-untyped-def]
    decision = decide_route(entry, kind, category, marketing_routing_enabled=routing)
    assert (decision.endpoint, decision.requested) == expected


@pytest.mark.parametrize(
    ("kind", "category", "code"),
    [("text", None, 100), ("template", "UTILITY", 134100), ("template", "AUTHENTICATION", 134100)],
)
def test_marketing_messages_refuses_non_marketing(
    kind: str, category: str | None, code: int
) -> None:
    with pytest.raises(GraphError) as caught:
        decide_route(EntryPoint.MARKETING_MESSAGES, kind, category, marketing_routing_enabled=True)
    assert caught.value.code == code


def test_route_taken_from_pricing() -> None:
    assert route_from_pricing("marketing_lite") is Route.MM_API
    assert route_from_pricing("marketing") is Route.CLOUD_API
    assert route_from_pricing(None) is None


@pytest.mark.parametrize(
    ("payload", "template", "category", "route", "expected"),
    [
        (None, None, "MARKETING", Route.MM_API, THIRTY_DAYS),
        (None, 43200, "MARKETING", Route.MM_API, 43200),
        (86400, 43200, "MARKETING", Route.MM_API, 86400),  # the payload wins
        (60, None, "MARKETING", Route.CLOUD_API, THIRTY_DAYS),  # not honoured on Cloud API
        (600, None, "UTILITY", Route.CLOUD_API, 600),
        (-1, None, "UTILITY", Route.CLOUD_API, THIRTY_DAYS),
        (None, None, "AUTHENTICATION", Route.CLOUD_API, 600),
    ],
)
def test_ttl(payload, template, category, route, expected) -> None:  # type: ignore[no-untyped-def]
    assert resolve_ttl(payload, template, category, route) == expected


@pytest.mark.parametrize(
    ("ttl", "category"),
    [(43199, "MARKETING"), (2592001, "MARKETING"), (29, "UTILITY"), (901, "AUTHENTICATION")],
)
def test_ttl_out_of_range(ttl: int, category: str) -> None:
    with pytest.raises(GraphError) as caught:
        resolve_ttl(ttl, None, category, Route.MM_API)
    assert "message_send_ttl_seconds" in caught.value.details
