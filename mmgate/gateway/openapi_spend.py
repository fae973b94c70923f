"""OpenAPI pieces for max price and spend (docs/max-price.md): the send's `bid_spec` and
the template analytics query (a message's `price` and the Partner API's spend report are
generated from wire structs)."""

from __future__ import annotations

from mmgate.gateway.openapi_schemas import STRING, Schema, obj, ref


def bid_spec() -> Schema:
    positive = {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 100}
    multiplier = {"oneOf": [positive, STRING]}
    return obj([], per_message_bid_multiplier=multiplier)


def add_to(components: dict[str, Schema]) -> dict[str, Schema]:
    """`bid_spec` on a send (the spend report's schemas are generated from wire structs)."""
    components["SendRequest"]["properties"]["bid_spec"] = ref("BidSpec")
    return {**components, "BidSpec": bid_spec()}


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
