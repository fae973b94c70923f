"""Key paths and JSON types of a payload, to compare with recorded ones."""

from __future__ import annotations

from typing import Any


def shape(value: Any, path: str = "$") -> dict[str, str]:
    found: dict[str, str] = {}
    if isinstance(value, dict):
        found[path] = "object"
        for key, item in value.items():
            found.update(shape(item, f"{path}.{key}"))
    elif isinstance(value, list):
        found[path] = "array"
        for item in value:
            found.update(shape(item, f"{path}[]"))
    else:
        found[path] = {
            bool: "boolean",
            int: "number",
            float: "number",
            str: "string",
            type(None): "null",
        }[type(value)]
    return found


def merged(samples: list[Any]) -> dict[str, set[str]]:
    union: dict[str, set[str]] = {}
    for sample in samples:
        for path, kind in shape(sample).items():
            union.setdefault(path, set()).add(kind)
    return union


# Fields Meta documents for current (PMP-era) status webhooks that the recorded,
# older payloads predate (reference/domain.md §6.1: pricing.type "regular").
DOCUMENTED_EXTRAS = {"$.entry[].changes[].value.statuses[].pricing.type": {"string"}}


def mismatches(ours: Any, recorded: list[Any]) -> list[str]:
    """Paths of `ours` missing from the recorded samples or typed differently."""
    reference = merged(recorded) | DOCUMENTED_EXTRAS
    problems = []
    for path, kind in shape(ours).items():
        if path not in reference:
            problems.append(f"{path}: not in recorded payloads")
        elif kind not in reference[path]:
            problems.append(f"{path}: {kind}, recorded {sorted(reference[path])}")
    return problems


# Keys every recorded status webhook has, which ours must have too.
REQUIRED_STATUS_PATHS = [
    "$.object",
    "$.entry[].id",
    "$.entry[].changes[].field",
    "$.entry[].changes[].value.messaging_product",
    "$.entry[].changes[].value.metadata.display_phone_number",
    "$.entry[].changes[].value.metadata.phone_number_id",
    "$.entry[].changes[].value.contacts[].wa_id",
    "$.entry[].changes[].value.statuses[].id",
    "$.entry[].changes[].value.statuses[].status",
    "$.entry[].changes[].value.statuses[].timestamp",
    "$.entry[].changes[].value.statuses[].recipient_id",
]
