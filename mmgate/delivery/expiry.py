"""The TTL sweep: messages not delivered within their TTL become `expired` (Meta dropped
them; as on Meta no webhook says so, unless `report_expired_as_failed`).

A message left in doubt (`unknown`: its send was in flight when a worker stopped) that
no webhook settled by the end of its TTL is the exception: the client is always told,
with a `failed` status, so nothing accepted ends without the client hearing of it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import msgspec

from mmgate.clock import Clock, Waker
from mmgate.delivery.upstream_dispatch import failed_status
from mmgate.domain import lifecycle
from mmgate.errors import GraphError
from mmgate.storage.port import Overdue, Store

log = logging.getLogger(__name__)
SWEEP_SECONDS = 5.0
BATCH = 1000
EXPIRED_CODE = 1360002
IN_DOUBT_CODE = 1360003  # Delivery outcome unknown (docs/errors.md)
IN_DOUBT_DETAILS = (
    "mmgate cannot tell whether Meta received this message (its send was in flight when "
    "the gateway stopped) and no status arrived for it within its TTL"
)


class _CallbackData(msgspec.Struct):
    biz_opaque_callback_data: str | None = None


_decode_callback = msgspec.json.Decoder(_CallbackData).decode


class ExpirySweep:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        report_expired_as_failed: bool,
        on_relayed: Callable[[], None],
    ) -> None:
        self._store = store
        self._clock = clock
        self.relay_for = ExpiryRelay(report_expired_as_failed)
        self._on_relayed = on_relayed

    async def run(self) -> None:
        """Every few seconds, and on every clock jump."""
        waker = Waker(self._clock)
        while True:
            try:
                await self.expire_now()
            except Exception:
                log.exception("expiry sweep failed")
            await waker.wait(SWEEP_SECONDS)

    async def expire_now(self, _limit_seconds: float = 0.0) -> None:
        while True:
            count = await self._store.expire_overdue(self._clock.now(), BATCH, self.relay_for)
            if count:
                self._on_relayed()
            if count < BATCH:
                return


@dataclass(frozen=True, slots=True)
class ExpiryRelay:
    """What the client hears of an overdue message, built inside the expiry's write: a
    plain value, so the write can run in the SQLite writer process."""

    report_expired_as_failed: bool

    def __call__(self, overdue: Overdue) -> bytes | None:
        if overdue.status == lifecycle.UNKNOWN:
            error = GraphError(IN_DOUBT_CODE, IN_DOUBT_DETAILS)
        elif self.report_expired_as_failed:
            error = GraphError(EXPIRED_CODE)
        else:
            return None
        try:
            callback = _decode_callback(overdue.payload).biz_opaque_callback_data
        except msgspec.DecodeError:
            callback = None
        return failed_status(
            overdue.wamid,
            error,
            overdue.expires_at,  # when it expired, not when the sweep saw it
            recipient=overdue.recipient,
            phone_number_id=overdue.phone_number_id,
            display_phone_number=overdue.display_phone_number,
            waba_id=overdue.waba_id,
            callback_data=callback,
        )
