"""Where a send goes: the decision table of design §4, as the gateway applies it.

The gateway decides the upstream endpoint from what it knows of the WABA (its MM
onboarding status and the `disable_marketing_messages_on_cloud_api` flag, learnt
from Graph look-ups and webhooks). When it does not know (`None`), it sends
marketing to `/marketing_messages` and lets Meta decide: Meta itself falls back
to Cloud API for a WABA that is not onboarded unless STRICT. The route actually
taken is learnt later from `pricing.category`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mmgate.domain.payloads import EntryPoint, ProductPolicy
from mmgate.domain.templates import Category
from mmgate.errors import GraphError


class Route(StrEnum):
    MM_API = "mm_api"
    CLOUD_API = "cloud_api"


class UpstreamEndpoint(StrEnum):
    MESSAGES = "messages"
    MARKETING_MESSAGES = "marketing_messages"


@dataclass(frozen=True, slots=True)
class RouteDecision:
    endpoint: UpstreamEndpoint
    requested: Route


@dataclass(frozen=True, slots=True)
class WabaFacts:
    """What the gateway knows of a WABA; None = not known."""

    onboarded: bool | None = None
    marketing_disabled_on_cloud_api: bool | None = None


UNKNOWN_WABA = WabaFacts()
MM = RouteDecision(UpstreamEndpoint.MARKETING_MESSAGES, Route.MM_API)
CLOUD = RouteDecision(UpstreamEndpoint.MESSAGES, Route.CLOUD_API)


def decide_route(
    entry_point: EntryPoint,
    message_type: str,
    category: str | None,
    *,
    marketing_routing_enabled: bool,
    waba: WabaFacts = UNKNOWN_WABA,
    product_policy: ProductPolicy = ProductPolicy.CLOUD_API_FALLBACK,
) -> RouteDecision:
    is_marketing = message_type == "template" and category == Category.MARKETING
    if entry_point is EntryPoint.MARKETING_MESSAGES:
        if message_type != "template":
            raise GraphError(100, "Message must be a template message.")
        if not is_marketing:
            raise GraphError(134100)
        if waba.onboarded is False:
            if product_policy is ProductPolicy.STRICT:
                raise GraphError(134102)
            _refuse_if_disabled_on_cloud(waba)
        return MM
    if not is_marketing:
        return CLOUD
    if marketing_routing_enabled and waba.onboarded is not False:
        return MM
    _refuse_if_disabled_on_cloud(waba)
    return CLOUD


def _refuse_if_disabled_on_cloud(waba: WabaFacts) -> None:
    if waba.marketing_disabled_on_cloud_api:
        raise GraphError(131063)


def route_from_pricing(category: str | None) -> Route | None:
    """The route a message actually took, from a status webhook's pricing.category."""
    if category is None:
        return None
    return Route.MM_API if category == "marketing_lite" else Route.CLOUD_API
