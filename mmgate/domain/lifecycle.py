"""The lifecycle of a message as the gateway tracks it.

A status only moves forward: a late `delivered` after `read` is relayed (clients
expect at-least-once, possibly out of order) but does not move the message back.
"""

from __future__ import annotations

ACCEPTED = "accepted"
SENT_UPSTREAM = "sent_upstream"
SENT = "sent"
DELIVERED = "delivered"
READ = "read"
FAILED = "failed"
EXPIRED = "expired"
UNKNOWN = "unknown"

RANK = {
    ACCEPTED: 0,
    UNKNOWN: 1,
    SENT_UPSTREAM: 2,
    SENT: 3,
    DELIVERED: 4,
    READ: 5,
    EXPIRED: 6,
    FAILED: 7,
}


def rank(status: str) -> int:
    return RANK.get(status, 3)
