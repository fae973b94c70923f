"""Identifiers in the formats Meta and 360dialog use."""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets

# Unique without a random draw per message (a hot-path cost): a random prefix per
# process, then a counter.
_WAMID_PREFIX = secrets.token_hex(5).upper()
_wamid_counter = itertools.count(secrets.randbelow(1 << 24))


def new_wamid(wa_id: str) -> str:
    """A wamid shaped like Meta's: base64 of a small record holding the recipient."""
    digits = wa_id.encode()[:32]
    unique = f"{_WAMID_PREFIX}{next(_wamid_counter) & 0xFFFFFFFF:08X}"
    raw = (
        b"\x1c\x18"
        + bytes([len(digits)])
        + digits
        + b"\x15\x02\x00\x11\x18\x12"
        + unique.encode()
        + b"\x00"
    )
    return "wamid." + base64.b64encode(raw).decode()


def new_numeric_id(digits: int = 15) -> str:
    """Meta object ids are 15-16 decimal digits."""
    first = str(secrets.randbelow(9) + 1)
    return first + "".join(str(secrets.randbelow(10)) for _ in range(digits - 1))


def new_secret(nbytes: int = 24) -> str:
    return secrets.token_urlsafe(nbytes)


def key_hash(key: str) -> str:
    """API keys are stored only as hashes; keys have 190+ bits, so a fast hash suffices."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_trace_id() -> str:
    return secrets.token_urlsafe(15)
