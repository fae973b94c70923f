"""Health of each webhook endpoint: bounded concurrency, and backing off an endpoint
that keeps failing instead of hammering it (a circuit breaker).

Kept in memory per process: each process protects the receiver from its own
traffic; the state is shown in the Partner API and the Hub.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

OPEN_AFTER_FAILURES = 5
OPEN_SECONDS = (30.0, 60.0, 300.0, 900.0, 3600.0)


@dataclass
class EndpointHealth:
    url: str
    consecutive_failures: int = 0
    backing_off_until: float = 0.0
    trips: int = 0
    in_flight: int = 0
    last_status: int | None = None
    gone: bool = False  # answered 410: held (durably, see `set_held`) until a replay
    semaphore: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(8))

    def state(self, now: float) -> str:
        if self.gone:
            return "gone"
        if self.backing_off_until > now:
            return "backing_off"
        return "failing" if self.consecutive_failures else "healthy"

    def as_dict(self, now: float) -> dict[str, object]:
        return {
            "url": self.url,
            "state": self.state(now),
            "consecutive_failures": self.consecutive_failures,
            "backing_off_until": self.backing_off_until or None,
            "in_flight": self.in_flight,
            "last_status": self.last_status,
        }


class EndpointBook:
    def __init__(self, concurrency_per_endpoint: int = 8) -> None:
        self._endpoints: dict[str, EndpointHealth] = {}
        self._concurrency = concurrency_per_endpoint

    def get(self, url: str) -> EndpointHealth:
        health = self._endpoints.get(url)
        if health is None:
            health = EndpointHealth(url, semaphore=asyncio.Semaphore(self._concurrency))
            self._endpoints[url] = health
        return health

    def all(self) -> list[EndpointHealth]:
        return list(self._endpoints.values())

    def set_held(self, urls: set[str]) -> None:
        """The endpoints held after a 410, as the database has them (every process's)."""
        for health in self._endpoints.values():
            health.gone = health.url in urls
        for url in urls:
            self.get(url).gone = True

    def resume(self, urls: set[str]) -> None:
        """An operator's replay: deliver to these endpoints again."""
        for url in urls:
            health = self.get(url)
            health.gone = False
            health.backing_off_until = 0.0

    @staticmethod
    def record(health: EndpointHealth, ok: bool, status: int | None, now: float) -> None:
        health.last_status = status
        if status == 410:
            health.gone = True
        if ok:
            health.consecutive_failures = 0
            health.trips = 0
            health.backing_off_until = 0.0
            return
        health.consecutive_failures += 1
        if health.consecutive_failures >= OPEN_AFTER_FAILURES:
            pause = OPEN_SECONDS[min(health.trips, len(OPEN_SECONDS) - 1)]
            health.backing_off_until = now + pause
            health.trips += 1
            health.consecutive_failures = 0
