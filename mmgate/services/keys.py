"""The rule for a channel key in a rotation's overlap (used by the key cache's view)."""

from __future__ import annotations

from mmgate.storage.port import Channel


def key_in_force(channel: Channel | None, now: float) -> Channel | None:
    """A key past the end of its overlap authenticates nothing, cached or not."""
    if channel is None or channel.key_valid_until is None or channel.key_valid_until > now:
        return channel
    return None
