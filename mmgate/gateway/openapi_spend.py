"""OpenAPI pieces for max price and spend (docs/max-price.md): the send's `bid_spec`,
and the Partner API's spend report (a message's `price` is a wire struct)."""

from __future__ import annotations

from mmgate.gateway.openapi_schemas import INTEGER, NUMBER, STRING, Schema, nullable, obj, ref


def bid_spec() -> Schema:
    positive = {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 100}
    multiplier = {"oneOf": [positive, STRING]}
    return obj([], per_message_bid_multiplier=multiplier)


def _usage() -> Schema:
    return obj(
        ["sent", "delivered", "read", "clicks", "spend"],
        sent=INTEGER,
        delivered=INTEGER,
        read=INTEGER,
        clicks=INTEGER,
        spend=NUMBER,
        cost_per_delivered=nullable(NUMBER),
        cost_per_click=nullable(NUMBER),
    )


def spend() -> Schema:
    client = obj(
        ["business_id", "name", "currency", "total", "mm_api", "cloud_api", "errors"],
        business_id=STRING,
        name=STRING,
        currency=STRING,
        total=ref("SpendUsage"),
        mm_api=ref("SpendUsage"),
        cloud_api=ref("SpendUsage"),
        errors={"type": "array", "items": STRING},
    )
    return obj(
        ["since", "until", "count", "clients"],
        since=NUMBER,
        until=NUMBER,
        count=INTEGER,
        clients={"type": "array", "items": client},
    )


def add_to(components: dict[str, Schema]) -> dict[str, Schema]:
    """The spend schemas, and `bid_spec` on a send."""
    components["SendRequest"]["properties"]["bid_spec"] = ref("BidSpec")
    return {
        **components,
        "BidSpec": bid_spec(),
        "SpendUsage": _usage(),
        "Spend": spend(),
    }


def analytics_parameters() -> list[Schema]:
    def query(name: str, schema: Schema, required: bool = False) -> Schema:
        return {"name": name, "in": "query", "required": required, "schema": schema}

    seconds = {"type": "string", "pattern": "^[0-9]+$"}
    product = {"type": "string", "enum": ["CLOUD_API", "MARKETING_MESSAGES_LITE_API"]}
    return [
        query("start", seconds, True),
        query("end", seconds, True),
        query("template_ids", {"type": "string", "pattern": "^[0-9]+(,[0-9]+){0,9}$"}),
        query("product_type", product),
    ]
