"""OpenAPI schemas generated from wire structs, in the house dialect: what a field promises
depends on whether the struct is a request (decoded) or an answer (encoded)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from mmgate.gateway.openapi_wire import components, openapi_schema
from mmgate.sdk.wire import Filled


class Inner(msgspec.Struct, forbid_unknown_fields=True):
    share: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)] = 0.0


class Outer(msgspec.Struct):
    """A docstring that stays out of the document."""

    name: Annotated[str, msgspec.Meta(max_length=10)] | None
    tags: dict[str, str] = {}
    inner: Inner | None = None
    later: Inner | msgspec.UnsetType = msgspec.UNSET


INNER = {"type": "object", "properties": {"share": {"type": "number", "minimum": 0, "maximum": 1}}}
TAGS = {"type": "object", "additionalProperties": {"type": "string"}}


def test_a_request_requires_fields_without_defaults_and_refuses_what_its_struct_forbids() -> None:
    closed = {**INNER, "additionalProperties": False}
    assert openapi_schema(Outer) == {
        "type": "object",
        "properties": {
            "name": {"type": "string", "maxLength": 10, "nullable": True},
            "tags": TAGS,
            "inner": {**closed, "nullable": True},
            "later": closed,
        },
        "required": ["name"],
    }


def test_an_answer_requires_every_field_it_always_writes_and_stays_open() -> None:
    inner = {**INNER, "required": ["share"]}
    assert openapi_schema(Outer, answer=True) == {
        "type": "object",
        "properties": {
            "name": {"type": "string", "maxLength": 10, "nullable": True},
            "tags": TAGS,
            "inner": {**inner, "nullable": True},
            "later": inner,
        },
        "required": ["name", "tags", "inner"],  # `later` may be unset
    }


class Sparse(msgspec.Struct, omit_defaults=True):
    id: str
    note: str | None = None  # left out when None: never null
    count: int = 0
    fills: Annotated[str | None, Filled] = None  # always filled by mmgate
    kind: Literal["a", "b"] = "a"
    bid: Annotated[float, msgspec.Meta(gt=0, le=100)] | str = 1.0


def test_an_omit_defaults_answer_leaves_out_its_defaults_and_filled_fields_are_never_null() -> None:
    assert openapi_schema(Sparse, answer=True) == {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "note": {"type": "string"},
            "count": {"type": "integer"},
            "fills": {"type": "string"},
            "kind": {"type": "string", "enum": ["a", "b"]},
            "bid": {
                "oneOf": [
                    {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 100},
                    {"type": "string"},
                ]
            },
        },
        "required": ["id", "fills"],
    }


class Listing(msgspec.Struct):
    items: list[Sparse]
    first: Sparse | None


def test_named_components_are_referenced_and_the_others_inlined() -> None:
    built = components({"Listing": Listing, "Sparse": Sparse}, {"Outer": Outer})
    ref = {"$ref": "#/components/schemas/Sparse"}
    assert built["Listing"]["properties"] == {
        "items": {"type": "array", "items": ref},
        "first": {"allOf": [ref], "nullable": True},
    }
    assert built["Sparse"] == openapi_schema(Sparse, answer=True)
    assert built["Outer"] == openapi_schema(Outer)


def test_every_schema_of_the_document_is_generated_from_a_wire_struct() -> None:
    from mmgate.gateway import openapi
    from mmgate.gateway.openapi_schemas import WIRE_ANSWERS, WIRE_REQUESTS

    documented = set(openapi.document()["components"]["schemas"])
    assert documented == set(WIRE_ANSWERS) | set(WIRE_REQUESTS)  # none written by hand
