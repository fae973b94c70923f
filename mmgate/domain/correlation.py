"""Carrying our wamid through Meta in `biz_opaque_callback_data`.

Meta echoes that field in every status webhook, so a webhook names our message
even if it arrives before the worker stored Meta's wamid, and even when the
worker died mid-call (design §1.1). The client's own value rides along after a
separator and is handed back to the client unchanged.
"""

from __future__ import annotations

PREFIX = "mmg1:"
SEPARATOR = "|"


def compose(wamid: str, client_value: str | None) -> str:
    if client_value is None:
        return PREFIX + wamid
    return PREFIX + wamid + SEPARATOR + client_value


def split(value: str | None) -> tuple[str | None, str | None]:
    """(our wamid, the client's value) from an echoed callback value."""
    if value is None or not value.startswith(PREFIX):
        return None, value
    body = value[len(PREFIX) :]
    wamid, sep, client_value = body.partition(SEPARATOR)
    return wamid, (client_value if sep else None)
