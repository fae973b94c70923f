"""How deeply a JSON body may nest, checked on the raw bytes before any decoder runs.

A decoder recurses (or allocates) per level; a body of a few KiB of `[[[[…` is cheap to
send and expensive to parse. Meta's own payloads nest at most a handful of levels (a
template's components, parameters, buttons), so a limit far above that refuses nothing
real. The scan is one pass over the bytes, skipping brackets inside strings.
"""

from __future__ import annotations

MAX_DEPTH = 32

_OPEN = frozenset(b"[{")
_CLOSE = frozenset(b"]}")
_QUOTE = ord('"')
_BACKSLASH = ord("\\")


def too_deep(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether `raw` opens more than `limit` arrays/objects inside one another.

    Works on any bytes (valid JSON or not): malformed input is the decoder's business.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False  # cannot nest deeper than the brackets it has (the common case)
    depth = 0
    in_string = False
    escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSE:
            depth -= 1
    return False
