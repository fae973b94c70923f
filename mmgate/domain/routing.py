"""Where a send goes: the decision table of design §4, as the gateway applies it.

The gateway decides the upstream endpoint; Meta decides what happens there
(an MM send from a WABA that is not onboarded falls back to Cloud API unless
STRICT). The route actually taken is learnt later from `pricing.category`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mmgate.domain.payloads import EntryPoint
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


def decide_route(
    entry_point: EntryPoint,
    message_type: str,
    category: str | None,
    *,
    marketing_routing_enabled: bool,
) -> RouteDecision:
    is_marketing = message_type == "template" and category == Category.MARKETING
    if entry_point is EntryPoint.MARKETING_MESSAGES:
        if message_type != "template":
            raise GraphError(100, "Message must be a template message.")
        if not is_marketing:
            raise GraphError(134100)
        return RouteDecision(UpstreamEndpoint.MARKETING_MESSAGES, Route.MM_API)
    if is_marketing and marketing_routing_enabled:
        return RouteDecision(UpstreamEndpoint.MARKETING_MESSAGES, Route.MM_API)
    return RouteDecision(UpstreamEndpoint.MESSAGES, Route.CLOUD_API)


def route_from_pricing(category: str | None) -> Route | None:
    """The route a message actually took, from a status webhook's pricing.category."""
    if category is None:
        return None
    return Route.MM_API if category == "marketing_lite" else Route.CLOUD_API
