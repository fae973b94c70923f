"""Time-to-live of a message (design §4, reference §5).

The payload's `message_send_ttl_seconds` wins over the template's. Marketing
sends via MM API must be within 12 h..30 d (default 30 d); on the Cloud API
route a marketing TTL is not honoured and the default of 30 days applies.
"""

from __future__ import annotations

from mmgate.domain.routing import Route
from mmgate.domain.templates import Category
from mmgate.errors import GraphError

THIRTY_DAYS = 30 * 24 * 3600
MARKETING_MM_RANGE = (43_200, THIRTY_DAYS)
CATEGORY_RANGES = {
    Category.MARKETING: MARKETING_MM_RANGE,
    Category.UTILITY: (30, 43_200),
    Category.AUTHENTICATION: (30, 900),
}
DEFAULT_TTL = {
    Category.MARKETING: THIRTY_DAYS,
    Category.UTILITY: THIRTY_DAYS,
    Category.AUTHENTICATION: 600,
}


def resolve_ttl(
    payload_ttl: int | None, template_ttl: int | None, category: str | None, route: Route
) -> int:
    """The TTL in seconds the message lives with, or a clear error when out of range."""
    chosen = payload_ttl if payload_ttl is not None else template_ttl
    if category == Category.MARKETING and route is Route.CLOUD_API:
        return THIRTY_DAYS
    if category not in CATEGORY_RANGES:
        return THIRTY_DAYS  # non-template messages: Meta's default validity
    cat = Category(category)
    if chosen is None:
        return DEFAULT_TTL[cat]
    if chosen == -1 and cat is not Category.MARKETING:
        return THIRTY_DAYS
    low, high = CATEGORY_RANGES[cat]
    if not low <= chosen <= high:
        raise GraphError(
            100,
            f"message_send_ttl_seconds must be between {low} and {high} seconds for "
            f"{cat.value.lower()} templates (got {chosen}).",
        )
    return chosen
