"""The campaign's funnel, by polling `GET /v1/messages/{wamid}` for every accepted message.

Polling was chosen over a local webhook listener: it needs no port reachable from
the server, leaves the channel's webhook URL (the client's own) untouched, and
can be repeated any time later (`--report`). It stops when every message is
settled (read, failed or expired), when nothing has changed for a few seconds,
or when the time bound passes; messages still on their way are shown as they
are at that moment.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from mmgate.sdk import ApiError, AsyncClient, MessageInfo

STAGES = ("accepted", "sent", "delivered", "read", "clicked", "failed", "expired")
ROUTES = ("mm_api", "cloud_api", "unknown")
SETTLED = frozenset({"read", "failed", "expired"})
POLL_CONCURRENCY = 4  # the server answers reads one at a time; more only queues
POLL_INTERVAL = 1.0
QUIET_SECONDS = 5.0


def stages_of(info: MessageInfo) -> list[str]:
    """Every funnel stage one message reached: `read` counts as delivered and sent too,
    since Meta may skip `delivered` when delivery and read happen together."""
    reached = info.statuses_reached
    stages = ["accepted"]
    if reached & {"sent", "delivered", "read", "clicked"}:
        stages.append("sent")
    if reached & {"delivered", "read", "clicked"}:
        stages.append("delivered")
    if reached & {"read", "clicked"}:
        stages.append("read")
    stages += [stage for stage in ("clicked", "failed", "expired") if stage in reached]
    return stages


@dataclass
class Funnel:
    rows: int = 0
    rejected: int = 0
    not_sent: int = 0
    counts: dict[str, Counter[str]] = field(
        default_factory=lambda: {stage: Counter() for stage in STAGES}
    )
    settled: int = 0
    unreadable: int = 0  # accepted, but the server no longer knows the wamid
    # What the delivered messages cost at most: their max price, or the list price of a
    # message without one (docs/max-price.md); Meta's own charge is in Hub > Spend.
    spend_at_most: float = 0.0
    currency: str = "USD"

    @property
    def clicks_known(self) -> bool:
        """Meta's click webhooks name no message, so per-message clicks are known only
        where the gateway has recorded one on a message's timeline."""
        return sum(self.counts["clicked"].values()) > 0

    @classmethod
    def of(
        cls,
        infos: list[MessageInfo],
        *,
        rows: int,
        rejected: int,
        not_sent: int,
        unreadable: int = 0,
    ) -> Funnel:
        funnel = cls(rows=rows, rejected=rejected, not_sent=not_sent, unreadable=unreadable)
        for info in infos:
            route = info.route_taken or "unknown"
            for stage in stages_of(info):
                funnel.counts[stage][route] += 1
            funnel.settled += info.status in SETTLED
            if info.price is not None:
                funnel.spend_at_most += info.price.charge_at_most
                funnel.currency = info.price.currency
        return funnel

    @property
    def accepted(self) -> int:
        return sum(self.counts["accepted"].values()) + self.unreadable


class FunnelPoller:
    def __init__(self, client: AsyncClient, wamids: list[str]) -> None:
        self._client = client
        self._wamids = wamids
        self._known: dict[str, MessageInfo] = {}
        self._missing: set[str] = set()
        self._slots = asyncio.Semaphore(POLL_CONCURRENCY)

    @property
    def infos(self) -> list[MessageInfo]:
        return list(self._known.values())

    @property
    def unreadable(self) -> int:
        return len(self._missing)

    async def poll(self, wait: float, on_round: Callable[[], None]) -> None:
        """Refresh unsettled messages until all settle, nothing changed for QUIET_SECONDS
        (the rest wait on people: offline, not reading) or `wait` seconds pass."""
        started = time.monotonic()
        deadline, last_change = started + wait, started
        while True:
            pending = [w for w in self._wamids if not self._is_settled(w)]
            before = [self._status(w) for w in pending]
            await asyncio.gather(*(self._refresh(w) for w in pending))
            if before != [self._status(w) for w in pending]:
                last_change = time.monotonic()
            on_round()
            now = time.monotonic()
            if not [w for w in self._wamids if not self._is_settled(w)]:
                return
            if now >= deadline or now - last_change >= QUIET_SECONDS:
                return
            await asyncio.sleep(min(POLL_INTERVAL, max(0.0, deadline - now)))

    def _status(self, wamid: str) -> tuple[str, int] | None:
        info = self._known.get(wamid)
        return None if info is None else (info.status, len(info.events))

    def _is_settled(self, wamid: str) -> bool:
        info = self._known.get(wamid)
        return wamid in self._missing or (info is not None and info.status in SETTLED)

    async def _refresh(self, wamid: str) -> None:
        async with self._slots:
            try:
                self._known[wamid] = await self._client.get_message(wamid)
            except ApiError as exc:
                if exc.http_status != 404:
                    raise
                self._missing.add(wamid)
