"""OpenAPI 3.0 schemas generated from the wire structs (mmgate/sdk/wire*.py), in the house
dialect: no titles, descriptions or defaults, `null` as `nullable`, no empty `required`.

A struct registered as a component is `$ref`erenced wherever another struct holds it; any
other struct is inlined. What a field promises depends on which way the shape travels:

- in a request, a field with a default may be left out; unknown fields are refused when the
  struct says `forbid_unknown_fields` (`additionalProperties: false`);
- in an answer, mmgate writes every field (so every one is required and the document stays
  open to later fields), except a field that may be `UNSET` or that an `omit_defaults`
  struct leaves out at its default (then a default of None is never written as null);
- a field marked `Filled` (mmgate/sdk/wire.py) is one mmgate always fills in, though the SDK
  reads its absence from another host as None: required and not null.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
from msgspec import inspect

Schema = dict[str, Any]
_NOTHING = msgspec.NODEFAULT


@dataclass(frozen=True, slots=True)
class _Direction:
    answer: bool
    names: Mapping[type, str]


def openapi_schema(
    kind: type[msgspec.Struct], *, answer: bool = False, names: Mapping[type, str] = {}
) -> Schema:
    """`kind`'s schema; the structs in `names` (other than `kind`) become `$ref`s."""
    info = inspect.type_info(kind)
    assert isinstance(info, inspect.StructType)
    return _struct(info, _Direction(answer, names))


def components(
    answers: Mapping[str, type[msgspec.Struct]], requests: Mapping[str, type[msgspec.Struct]]
) -> dict[str, Schema]:
    """Named schemas for the document's `components`, referencing one another by name."""
    names = {kind: name for name, kind in {**answers, **requests}.items()}
    built = {name: openapi_schema(kind, answer=True, names=names) for name, kind in answers.items()}
    built.update({name: openapi_schema(kind, names=names) for name, kind in requests.items()})
    return built


def _struct(info: inspect.StructType, way: _Direction) -> Schema:
    omits = info.cls.__struct_config__.omit_defaults
    properties: Schema = {}
    required: list[str] = []
    for field in info.fields:
        may_be_unset = field.default is _NOTHING and field.default_factory is _NOTHING
        left_out = not field.required and (
            not way.answer or may_be_unset or (omits and not may_be_unset)
        )
        filled = _extra(field.type).get("filled", False)
        never_null = filled or (way.answer and omits and field.default is None)
        properties[field.encode_name] = _schema(field.type, way, never_null=never_null)
        if not left_out or filled:
            required.append(field.encode_name)
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if info.forbid_unknown_fields and not way.answer:
        schema["additionalProperties"] = False
    return schema


def _extra(kind: inspect.Type) -> dict[str, Any]:
    return kind.extra or {} if isinstance(kind, inspect.Metadata) else {}


def _schema(kind: inspect.Type, way: _Direction, *, never_null: bool = False) -> Schema:
    if isinstance(kind, inspect.Metadata):
        return {**_schema(kind.type, way, never_null=never_null), **(kind.extra_json_schema or {})}
    if isinstance(kind, inspect.UnionType):
        return _union(kind, way, never_null)
    if isinstance(kind, inspect.StructType):
        name = way.names.get(kind.cls)
        return {"$ref": f"#/components/schemas/{name}"} if name else _struct(kind, way)
    if isinstance(kind, inspect.ListType):
        return _sized({"type": "array", "items": _schema(kind.item_type, way)}, kind, "Items")
    if isinstance(kind, inspect.DictType):
        schema: Schema = {"type": "object"}
        if not isinstance(kind.value_type, inspect.AnyType):
            schema["additionalProperties"] = _schema(kind.value_type, way)
        return _sized(schema, kind, "Properties")
    return _scalar(kind)


def _union(kind: inspect.UnionType, way: _Direction, never_null: bool) -> Schema:
    others = [t for t in kind.types if not isinstance(t, inspect.NoneType)]
    nullable = len(others) < len(kind.types) and not never_null
    schema = (
        _schema(others[0], way)
        if len(others) == 1
        else {"oneOf": [_schema(t, way) for t in others]}
    )
    if not nullable:
        return schema
    if "$ref" in schema:  # OpenAPI 3.0 ignores a $ref's siblings
        return {"allOf": [schema], "nullable": True}
    return {**schema, "nullable": True}


def _sized(schema: Schema, kind: inspect.ListType | inspect.DictType, noun: str) -> Schema:
    if kind.min_length is not None:
        schema[f"min{noun}"] = kind.min_length
    if kind.max_length is not None:
        schema[f"max{noun}"] = kind.max_length
    return schema


def _scalar(kind: inspect.Type) -> Schema:
    if isinstance(kind, inspect.StrType):
        schema: Schema = {"type": "string"}
        for key, value in (("minLength", kind.min_length), ("maxLength", kind.max_length)):
            if value is not None:
                schema[key] = value
        if kind.pattern is not None:
            schema["pattern"] = kind.pattern
        return schema
    if isinstance(kind, inspect.BoolType):
        return {"type": "boolean"}
    if isinstance(kind, inspect.IntType | inspect.FloatType):
        return _number(kind)
    if isinstance(kind, inspect.LiteralType):
        kinds = {"string" if isinstance(v, str) else "integer" for v in kind.values}
        return {"type": kinds.pop(), "enum": list(kind.values)} if len(kinds) == 1 else {}
    if isinstance(kind, inspect.AnyType):
        return {}
    raise TypeError(f"no OpenAPI schema for {kind!r}")


def _number(kind: inspect.IntType | inspect.FloatType) -> Schema:
    schema: Schema = {"type": "integer" if isinstance(kind, inspect.IntType) else "number"}
    bounds = (("minimum", kind.ge, kind.gt), ("maximum", kind.le, kind.lt))
    for key, inclusive, exclusive in bounds:
        if inclusive is not None:
            schema[key] = _tidy(inclusive)
        elif exclusive is not None:  # OpenAPI 3.0: a flag beside the bound
            schema[key] = _tidy(exclusive)
            schema["exclusive" + key.capitalize()] = True
    return schema


def _tidy(bound: float) -> float:
    return int(bound) if float(bound).is_integer() else bound
