"""HMAC-SHA256 signatures on raw bodies: one module for every signer and verifier.

Meta signs its webhooks with the app secret in `X-Hub-Signature-256`; mmgate
signs its own deliveries to clients the same way, over `timestamp.body`, so a
captured request cannot be replayed later with a fresh timestamp.
"""

from __future__ import annotations

import hmac

META_SIGNATURE_HEADER = "x-hub-signature-256"
MMGATE_SIGNATURE_HEADER = "x-mmgate-signature-256"
MMGATE_TIMESTAMP_HEADER = "x-mmgate-timestamp"


def sign(secret: str, body: bytes) -> str:
    # hmac.digest: one call into OpenSSL, no HMAC object (3 of them per message, hot).
    return "sha256=" + hmac.digest(secret.encode(), body, "sha256").hex()


def verify(secret: str, body: bytes, header_value: str | None) -> bool:
    if not header_value:
        return False
    return hmac.compare_digest(sign(secret, body), header_value.strip())


def sign_delivery(secret: str, timestamp: int, body: bytes) -> str:
    return sign(secret, str(timestamp).encode() + b"." + body)


def verify_delivery(
    secret: str,
    timestamp: int,
    body: bytes,
    header_value: str | None,
    *,
    now: float,
    tolerance: float = 300,
) -> bool:
    """Check a delivery's signature and that its timestamp is recent.

    During a secret rotation the header carries one signature per valid secret,
    comma-separated; any one matching is enough."""
    if abs(now - timestamp) > tolerance or not header_value:
        return False
    expected = sign_delivery(secret, timestamp, body)
    return any(hmac.compare_digest(expected, v.strip()) for v in header_value.split(","))
