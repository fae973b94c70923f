"""A process's background work in one place: which workers run, the order in which the
sandbox clock settles them, and how they start and stop.

The workers: the upstream dispatch worker (outbox -> Meta), the two relay workers (webhooks
to clients and to partners) and the expiry sweep; with the embedded emulator, also Meta's
scheduler and webhook sender. `SandboxClock.advance` lets due work finish before it jumps,
hook by hook, in the order registered here — dispatch, then Meta's webhooks, then our relays,
then expiry — so one advance carries a message from the outbox to the client's webhook.
"""

from __future__ import annotations

import asyncio

from mmgate.clock import Clock, SandboxClock
from mmgate.delivery.endpoints import EndpointBook
from mmgate.delivery.expiry import ExpirySweep
from mmgate.delivery.outbox import OutboxWorker
from mmgate.delivery.upstream_dispatch import UpstreamDispatcher
from mmgate.delivery.webhooks import WebhookDeliverer
from mmgate.emulator.state import Emulator
from mmgate.httpclient import HttpClient
from mmgate.services.caches import DirectoryCaches
from mmgate.settings import Settings
from mmgate.storage.port import CLIENT_WEBHOOK, PARTNER_WEBHOOK, UPSTREAM_SEND, Store
from mmgate.upstream.graph import GraphClient

# Longer than any HTTP timeout a job can take: a lease never runs out under a live attempt.
LEASE_SECONDS = 60.0
# Jobs a relay worker holds per request slot when webhooks are batched.
RELAY_FILL = 4


class Workers:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        graph: GraphClient,
        http: HttpClient,
        caches: DirectoryCaches,
        settings: Settings,
    ) -> None:
        s = settings
        self._clock = clock
        self.deliverer = WebhookDeliverer(
            store,
            clock,
            http,
            s.webhook_retry,
            caches.channels,
            caches.partners,
            retry_4xx=s.webhook_retry_4xx,
            allow_private=s.private_webhooks_allowed,
            batch_size=s.webhook_batch_size,
        )
        self.relay_workers = [
            OutboxWorker(
                kind,
                store,
                clock,
                self.deliverer,
                # Batched, a request carries many jobs: hold more of them than requests,
                # so a claim fills the next batches while earlier ones are in flight.
                concurrency=s.webhook_concurrency * min(s.webhook_batch_size, RELAY_FILL),
                lease_seconds=LEASE_SECONDS,
            )
            for kind in (CLIENT_WEBHOOK, PARTNER_WEBHOOK)
        ]
        dispatcher = UpstreamDispatcher(
            clock,
            graph,
            s.upstream_retry,
            store,
            report_expired_as_failed=s.report_expired_as_failed,
        )
        self.dispatch_worker = OutboxWorker(
            UPSTREAM_SEND,
            store,
            clock,
            dispatcher,
            concurrency=s.upstream_concurrency,
            lease_seconds=LEASE_SECONDS,
            on_recorded=self.wake_client_relays,
        )
        self.expiry = ExpirySweep(
            store,
            clock,
            report_expired_as_failed=s.report_expired_as_failed,
            on_relayed=self.wake_client_relays,
        )
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def endpoints(self) -> EndpointBook:
        return self.deliverer.endpoints

    def wake_dispatch(self) -> None:
        self.dispatch_worker.waker.wake()

    def wake_relays(self) -> None:
        for worker in self.relay_workers:
            worker.waker.wake()

    def wake_client_relays(self) -> None:
        """Sends' outcomes and expiries queue client webhooks only: the partner relay
        stays asleep (a wake costs it a look at the database)."""
        self.relay_workers[0].waker.wake()

    def start(self, emulator: Emulator | None) -> None:
        self._tasks = [
            asyncio.create_task(self.dispatch_worker.run(), name="upstream-dispatch"),
            *(asyncio.create_task(w.run(), name=f"relay-{w.kind}") for w in self.relay_workers),
            asyncio.create_task(self.expiry.run(), name="expiry-sweep"),
        ]
        if emulator is not None:
            emulator.start()
        if isinstance(self._clock, SandboxClock):
            self._settle_in_order(self._clock, emulator)

    def _settle_in_order(self, clock: SandboxClock, emulator: Emulator | None) -> None:
        clock.on_settle(self.dispatch_worker.settle)  # our sends reach Meta
        if emulator is not None:
            clock.on_settle(emulator.sender.settle)  # Meta's webhooks reach the gateway
        for worker in self.relay_workers:
            clock.on_settle(worker.settle)  # the gateway's relays reach clients, partners
        clock.on_settle(self.expiry.expire_now)  # what is still undelivered past its TTL

    async def stop(self, emulator: Emulator | None) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.dispatch_worker.stop()
        for worker in self.relay_workers:
            await worker.stop()
        if emulator is not None:
            await emulator.stop()
