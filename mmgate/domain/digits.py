"""ASCII digits only.

`str.isdigit()` is true for superscript, Arabic-Indic and fullwidth digits: int() then
fails on some (superscript two) and silently converts others, so a phone number, TTL or
index written with them was either a 500 or accepted as another string than Meta sees.
"""

from __future__ import annotations

MAX_SQL_INT = 2**63 - 1  # ids and offsets past it name nothing (and overflow SQL integers)


def ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def ascii_int(text: str, *, low: int = 0, high: int = MAX_SQL_INT) -> int | None:
    """`text` as an int when it is ASCII digits within [low, high], else None."""
    text = text.strip()
    if not ascii_digits(text) or len(text) > 19:
        return None
    value = int(text)
    return value if low <= value <= high else None
