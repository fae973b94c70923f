from __future__ import annotations

import pytest

from mmgate.domain.payloads import EntryPoint, ProductPolicy
from mmgate.domain.routing import (
    Route,
    UpstreamEndpoint,
    WabaFacts,
    decide_route,
    route_from_pricing,
)
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


ONBOARDED = WabaFacts(onboarded=True, marketing_disabled_on_cloud_api=False)
NOT_ONBOARDED = WabaFacts(onboarded=False, marketing_disabled_on_cloud_api=False)
NOT_ONBOARDED_NO_CLOUD = WabaFacts(onboarded=False, marketing_disabled_on_cloud_api=True)


@pytest.mark.parametrize(
    ("entry", "routing", "waba", "policy", "expected"),
    [
        # design §4, one row each
        (EntryPoint.MARKETING_MESSAGES, True, ONBOARDED, ProductPolicy.CLOUD_API_FALLBACK, MM),
        # not onboarded, fallback: sent to /marketing_messages, where Meta falls back
        (EntryPoint.MARKETING_MESSAGES, True, NOT_ONBOARDED, ProductPolicy.CLOUD_API_FALLBACK, MM),
        (EntryPoint.MARKETING_MESSAGES, True, NOT_ONBOARDED, ProductPolicy.STRICT, 134102),
        (
            EntryPoint.MARKETING_MESSAGES,
            True,
            NOT_ONBOARDED_NO_CLOUD,
            ProductPolicy.CLOUD_API_FALLBACK,
            131063,
        ),
        (EntryPoint.MESSAGES, True, ONBOARDED, ProductPolicy.CLOUD_API_FALLBACK, MM),
        (EntryPoint.MESSAGES, True, NOT_ONBOARDED, ProductPolicy.CLOUD_API_FALLBACK, CLOUD),
        (EntryPoint.MESSAGES, False, ONBOARDED, ProductPolicy.CLOUD_API_FALLBACK, CLOUD),
        (
            EntryPoint.MESSAGES,
            False,
            NOT_ONBOARDED_NO_CLOUD,
            ProductPolicy.CLOUD_API_FALLBACK,
            131063,
        ),
        (
            EntryPoint.MESSAGES,
            True,
            NOT_ONBOARDED_NO_CLOUD,
            ProductPolicy.CLOUD_API_FALLBACK,
            131063,
        ),
        # unknown facts: marketing goes to /marketing_messages and Meta decides
        (EntryPoint.MESSAGES, True, WabaFacts(), ProductPolicy.CLOUD_API_FALLBACK, MM),
    ],
)
def test_decision_table_with_waba_facts(  # type: ignore[no-untyped-def]
    entry, routing, waba, policy, expected
) -> None:
    if isinstance(expected, int):
        with pytest.raises(GraphError) as caught:
            decide_route(
                entry,
                "template",
                "MARKETING",
                marketing_routing_enabled=routing,
                waba=waba,
                product_policy=policy,
            )
        assert caught.value.code == expected
    else:
        decision = decide_route(
            entry,
            "template",
            "MARKETING",
            marketing_routing_enabled=routing,
            waba=waba,
            product_policy=policy,
        )
        assert (decision.endpoint, decision.requested) == expected


def test_non_marketing_ignores_waba_facts() -> None:
    decision = decide_route(
        EntryPoint.MESSAGES,
        "template",
        "UTILITY",
        marketing_routing_enabled=True,
        waba=NOT_ONBOARDED_NO_CLOUD,
    )
    assert decision.requested is Route.CLOUD_API
