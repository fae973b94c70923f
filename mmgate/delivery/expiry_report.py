"""`MMGATE_REPORT_EXPIRED_AS_FAILED`: a message that reached Meta and whose TTL ended
undelivered is reported to its channel as a `failed` status with error 1360002.

Meta drops such a message silently; the gateway knows its TTL, so the expiry sweep
reports it just before marking it expired: the `expired` status and the relay of the
`failed` webhook are one write (record_statuses), and a message is reported once.
Messages that never reached Meta are reported by the upstream dispatcher instead.
"""

from __future__ import annotations

import msgspec

from mmgate.delivery.records import UpstreamRequest
from mmgate.delivery.upstream_dispatch import failed_status_body
from mmgate.domain import lifecycle
from mmgate.errors import GraphError
from mmgate.storage.port import ExpiringMessage, StatusUpdate, Store

EXPIRED = GraphError(1360002)
BATCH = 500


async def report_expiring(store: Store, now: float) -> int:
    """Report every message past its TTL at Meta; the number reported."""
    reported = 0
    while expiring := await store.expiring_at_meta(now, BATCH):
        await store.record_statuses([_update(m, now) for m in expiring], now)
        reported += len(expiring)
        if len(expiring) < BATCH:
            break
    return reported


def _update(message: ExpiringMessage, now: float) -> StatusUpdate:
    request = UpstreamRequest(
        phone_number_id=message.phone_number_id,
        display_phone_number=message.display_phone_number,
        waba_id=message.waba_id,
        endpoint="",
        recipient=message.recipient,
        body=b"",
        expires_at=now,
        client_callback_data=_callback_data(message.payload),
    )
    ended = message.expires_at  # when it expired, not when the sweep saw it
    return StatusUpdate(
        wamid=message.wamid,
        status=lifecycle.EXPIRED,
        at=ended,
        route_taken=None,
        relay_body=failed_status_body(message.wamid, request, EXPIRED, ended),
        error=f"{EXPIRED.code}: {EXPIRED.spec.title}",
    )


def _callback_data(payload: bytes) -> str | None:
    try:
        body = msgspec.json.decode(payload)
    except msgspec.DecodeError:
        return None
    value = body.get("biz_opaque_callback_data") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None
