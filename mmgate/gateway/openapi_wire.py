"""OpenAPI 3.0 schemas generated from the wire structs (mmgate/sdk/wire.py), in the house
dialect of the hand-written ones (openapi_schemas.py): referenced structs inlined, `null`
alternatives as `nullable`, no titles, descriptions or defaults, no empty `required`."""

from __future__ import annotations

from typing import Any

import msgspec

Schema = dict[str, Any]
_DROPPED = ("title", "description", "default")


def openapi_schema(kind: type[msgspec.Struct]) -> Schema:
    (root,), definitions = msgspec.json.schema_components([kind], ref_template="#/$defs/{name}")
    converted: Schema = _convert(root, definitions)
    return converted


def _convert(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_convert(item, definitions) for item in node]
    if isinstance(node, float) and node.is_integer():
        return int(node)
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _convert(definitions[node["$ref"].rsplit("/", 1)[1]], definitions)
    alternatives = node.get("anyOf")
    if isinstance(alternatives, list) and {"type": "null"} in alternatives:
        rest = [a for a in alternatives if a != {"type": "null"}]
        if len(rest) == 1:
            return {**_convert(rest[0], definitions), "nullable": True}
    schema: Schema = {}
    for key, value in node.items():
        if key in _DROPPED or (key == "required" and not value):
            continue
        if key == "additionalProperties" and value is False:
            continue  # unknown fields are refused by the decoder; the document stays open
        if key == "properties":
            schema[key] = {name: _convert(sub, definitions) for name, sub in value.items()}
        else:
            schema[key] = _convert(value, definitions)
    return schema
