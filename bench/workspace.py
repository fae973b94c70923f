"""The workspace every benchmark sends through: the tests' fixed-key seed."""

from __future__ import annotations

from pathlib import Path

import msgspec

from tests.support import seed

CHANNEL_KEY = seed.CHANNEL_KEY
SANDBOX_KEY = seed.SANDBOX_KEY
SEND_PATH = "/marketing_messages"
SEND_HEADERS = {"Content-Type": "application/json", "D360-API-KEY": CHANNEL_KEY}
SANDBOX_HEADERS = {"Content-Type": "application/json", "X-Sandbox-Key": SANDBOX_KEY}


def send_body(to: str | None = None) -> bytes:
    """The seed's marketing send (~230 bytes), optionally to another recipient."""
    body = dict(seed.SEED_EXAMPLE)
    if to is not None:
        body["to"] = to
    return msgspec.json.encode(body)


def campaign_recipient(index: int) -> str:
    """A UK number that follows the happy path: it never ends in a test-number
    suffix (0000-0009) and never starts with +1 (US numbers fail marketing)."""
    return f"447{index * 10 + 7:09d}"


def write_seed(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    return seed.write_seed(directory)
