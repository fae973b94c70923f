"""The outer shape a Meta webhook must have before anything walks it.

Parsing stays tolerant inside (unknown fields, odd values are skipped), but a list
that is not a list (`"changes": 5`) made the walkers fail with a 500 after the
signature had been checked. Such a payload is answered 400: Meta never sends one.
"""

from __future__ import annotations

from typing import Any

# Lists inside `value` that the gateway walks.
_VALUE_LISTS = ("statuses", "contacts", "messages", "user_actions", "errors")


def shape_problem(payload: Any) -> str | None:
    """Why `payload` is not a webhook envelope, or None when it is one."""
    if not isinstance(payload, dict):
        return "the payload must be a JSON object"
    entries = payload.get("entry", [])
    if not _list_of_objects(entries):
        return "'entry' must be a list of objects"
    for entry in entries:
        changes = entry.get("changes", [])
        if not _list_of_objects(changes):
            return "'entry[].changes' must be a list of objects"
        for change in changes:
            value = change.get("value", {})
            if not isinstance(value, dict):
                return "'changes[].value' must be an object"
            for key in _VALUE_LISTS:
                if key in value and not _list_of_objects(value[key]):
                    return f"'value.{key}' must be a list of objects"
    return None


def _list_of_objects(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)
