"""OpenAPI pieces for max price and spend (docs/max-price.md): the template analytics query
(the send's `bid_spec`, a message's `price` and the Partner API's spend report are generated
from wire structs)."""

from __future__ import annotations

from mmgate.gateway.openapi_schemas import Schema


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
