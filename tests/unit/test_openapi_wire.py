"""OpenAPI schemas generated from wire structs, in the hand-written schemas' dialect."""

from __future__ import annotations

from typing import Annotated

import msgspec

from mmgate.gateway.openapi_wire import openapi_schema


class Inner(msgspec.Struct, forbid_unknown_fields=True):
    share: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)] = 0.0


class Outer(msgspec.Struct):
    """A docstring that stays out of the document."""

    name: Annotated[str, msgspec.Meta(max_length=10)] | None
    tags: dict[str, str] = {}
    inner: Inner | None = None
    later: Inner | msgspec.UnsetType = msgspec.UNSET


def test_refs_inlined_nulls_nullable_and_no_titles_defaults_or_empty_required() -> None:
    inner = {
        "type": "object",
        "properties": {"share": {"type": "number", "minimum": 0, "maximum": 1}},
    }
    assert openapi_schema(Outer) == {
        "type": "object",
        "properties": {
            "name": {"type": "string", "maxLength": 10, "nullable": True},
            "tags": {"type": "object", "additionalProperties": {"type": "string"}},
            "inner": {**inner, "nullable": True},
            "later": inner,
        },
        "required": ["name"],
    }
