"""The app factory: one ASGI app with the gateway, the emulator and the workers.

The two send endpoints are dispatched before any framework code runs (they are
the hot path); everything else is routed by Starlette.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from mmgate.cache import TtlCache
from mmgate.clock import Clock, SandboxClock, SystemClock, persisted_sandbox_clock
from mmgate.delivery.expiry import ExpirySweep
from mmgate.delivery.outbox import OutboxWorker
from mmgate.delivery.upstream_dispatch import UpstreamDispatcher
from mmgate.delivery.webhooks import WebhookDeliverer
from mmgate.domain.throughput import ThroughputLimiter
from mmgate.emulator import routes as emulator_routes
from mmgate.emulator.state import Emulator
from mmgate.gateway import routes as gateway_routes
from mmgate.gateway.accept import Accepter
from mmgate.gateway.context import Gateway
from mmgate.gateway.direct import DirectRoutes
from mmgate.gateway.messaging import SEND_PATHS, MessagingEndpoint
from mmgate.httpclient import InProcessClient, NetworkClient, RoutingClient
from mmgate.services.keys import key_in_force
from mmgate.services.templates import TemplateCatalog
from mmgate.services.wabas import WabaCatalog
from mmgate.settings import INTERNAL_ORIGIN, Settings
from mmgate.storage.factory import create_store
from mmgate.storage.port import (
    CLIENT_WEBHOOK,
    PARTNER_WEBHOOK,
    UPSTREAM_SEND,
    Channel,
    Partner,
    UpstreamCredentials,
)
from mmgate.ui import hub, landing
from mmgate.upstream.graph import GraphClient
from mmgate.web import surfaces
from mmgate.web.routing import FastRoute
from mmgate.workspace import provision, spec

log = logging.getLogger(__name__)
CACHE_SECONDS = 2.0
LEASE_SECONDS = 60.0


def make_clock(settings: Settings) -> Clock:
    if settings.clock == "system":
        return SystemClock()
    # Persisted in the data dir: the sandbox clock resumes where it was after a restart.
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return persisted_sandbox_clock(
        settings.data_dir / "clock.json", frozen=settings.clock == "frozen"
    )


class MmgateApp:
    def __init__(
        self,
        settings: Settings,
        *,
        seed: spec.WorkspaceSpec | None = None,
        on_ready: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.settings = settings
        self.seed = seed
        self.on_ready = on_ready
        self.clock = make_clock(settings)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = create_store(
            settings.database_url or settings.sqlite_path,
            sqlite_synchronous=settings.sqlite_synchronous,
        )
        # Calls addressed to this process's own origin (the embedded emulator's Graph API,
        # its webhooks to the gateway) go in process; everything else over the network.
        self.network_http = NetworkClient(timeout=settings.webhook_timeout_seconds)
        self.internal_http = RoutingClient(
            INTERNAL_ORIGIN, InProcessClient(self), self.network_http
        )
        self.graph = GraphClient(
            settings.graph_base_url, settings.graph_version, "", http=self.internal_http
        )
        self.emulator: Emulator | None = None
        if settings.emulator:
            # Batched notifications (several statuses in one signed request, as Meta may
            # send them) only to the gateway in this process, which parses them all.
            self.emulator = Emulator(
                self.clock,
                settings.data_dir / "emulator.json",
                self.internal_http,
                batches_to=lambda url: url.startswith(INTERNAL_ORIGIN),
            )
        self.gateway = self._build_gateway()
        self.messaging = MessagingEndpoint(self.gateway.accepter, settings.max_body_bytes)
        self.starlette = Starlette(
            routes=self._routes(),
            lifespan=self._lifespan,
            exception_handlers=surfaces.exception_handlers(),
        )
        self.starlette.state.gateway = self.gateway
        self.starlette.state.emulator = self.emulator
        self.direct = DirectRoutes(self.starlette)

    def _build_gateway(self) -> Gateway:
        store, clock = self.store, self.clock
        channels: TtlCache[str, Channel | None] = TtlCache(
            clock, CACHE_SECONDS, store.channel_by_id
        )
        # A key rotated away stops at the end of its overlap, also while cached.
        by_key: TtlCache[str, Channel | None] = TtlCache(
            clock, CACHE_SECONDS, store.channel_for_key, view=key_in_force
        )
        partners: TtlCache[str, Partner | None] = TtlCache(clock, CACHE_SECONDS, store.partner)

        async def load_upstream(_: int) -> UpstreamCredentials | None:
            return await store.upstream()

        upstream: TtlCache[int, UpstreamCredentials | None] = TtlCache(
            clock, CACHE_SECONDS, load_upstream
        )
        templates = TemplateCatalog(store, clock, self.graph)
        wabas = WabaCatalog(store, clock, self.graph)
        s = self.settings
        self.deliverer = deliverer = WebhookDeliverer(
            store,
            clock,
            self.network_http,
            s.webhook_retry,
            channels,
            partners,
            retry_4xx=s.webhook_retry_4xx,
            allow_private=s.private_webhooks_allowed,
        )
        self.relay_workers = [
            OutboxWorker(
                kind,
                store,
                clock,
                deliverer,
                concurrency=s.webhook_concurrency,
                lease_seconds=LEASE_SECONDS,
            )
            for kind in (CLIENT_WEBHOOK, PARTNER_WEBHOOK)
        ]

        def wake_relays() -> None:
            for worker in self.relay_workers:
                worker.waker.wake()

        dispatcher = UpstreamDispatcher(
            clock,
            self.graph,
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
            on_recorded=wake_relays,
        )
        self.expiry = ExpirySweep(
            store,
            clock,
            report_expired_as_failed=s.report_expired_as_failed,
            on_relayed=wake_relays,
        )
        accepter = Accepter(
            store,
            clock,
            templates,
            by_key,
            partners,
            wabas,
            self.dispatch_worker.waker.wake,
            ThroughputLimiter(s.throughput_per_number / max(1, s.api_processes)),
        )
        return Gateway(
            store=store,
            clock=clock,
            accepter=accepter,
            templates=templates,
            wabas=wabas,
            channels=channels,
            channels_by_key=by_key,
            partners=partners,
            upstream=upstream,
            wake_relay=wake_relays,
            graph=self.graph,
            endpoints=deliverer.endpoints,
            private_webhooks_allowed=s.private_webhooks_allowed,
            settings=s,
        )

    def _routes(self) -> list[Any]:
        routes: list[Any] = [
            Route("/healthz", _healthz),
            Route("/readyz", _readyz),
            Route("/metrics", _metrics),
            # The send path: bare ASGI, served before the router (gateway/direct.py).
            *(FastRoute(path, self.messaging, methods=["POST"]) for path in SEND_PATHS),
            *gateway_routes.routes(),
            *hub.routes(),
            *landing.routes,
        ]
        if self.emulator is not None:
            routes += emulator_routes.routes()
        return routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.direct.find(scope)  # the routes marked FastRoute in the one table
        if found is not None:
            await self.direct.serve(found, scope, receive, send)
            return
        await self.starlette(scope, receive, send)

    @contextlib.asynccontextmanager
    async def _lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        await self.store.start()
        try:
            await self._provision()
            credentials = await self.store.upstream()
            if credentials is not None:
                self.graph.set_token(credentials.graph_token)
            tasks = [
                asyncio.create_task(self.dispatch_worker.run(), name="upstream-dispatch"),
                *(asyncio.create_task(w.run(), name=f"relay-{w.kind}") for w in self.relay_workers),
                asyncio.create_task(self.expiry.run(), name="expiry-sweep"),
            ]
            if self.emulator is not None:
                self.emulator.start()
            if isinstance(self.clock, SandboxClock):
                self.clock.on_settle(self.dispatch_worker.settle)
                if self.emulator is not None:
                    self.clock.on_settle(self.emulator.sender.settle)
                for worker in self.relay_workers:
                    self.clock.on_settle(worker.settle)
                self.clock.on_settle(self.expiry.expire_now)
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await self.dispatch_worker.stop()
                for worker in self.relay_workers:
                    await worker.stop()
                if self.emulator is not None:
                    await self.emulator.stop()
                await self.internal_http.aclose()
        finally:
            await self.store.close()

    async def prepare(self) -> None:
        """Migrate and provision once, before several processes start."""
        await self.store.start()
        try:
            await self._provision()
        finally:
            await self.store.close()
            await self.internal_http.aclose()

    async def _provision(self) -> None:
        workspace = self.seed
        first_start = await self.store.is_empty()
        if workspace is None and first_start and self.settings.mode == "sandbox":
            workspace = spec.demo()
        if workspace is None:
            known = provision.read_credentials(self.settings.data_dir)
            if known is not None and self.on_ready is not None:
                self.on_ready(known)
            return
        now = self.clock.now()
        await provision.provision_gateway(self.store, workspace, now)
        if self.emulator is not None:
            provision.provision_emulator(
                self.emulator.worlds, workspace, self.settings.emulator_webhook_url, now
            )
        data = provision.summary(workspace, self.settings.base_url)
        provision.write_credentials(self.settings.data_dir, data)
        if self.on_ready is not None:
            self.on_ready(data)


async def _healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def _readyz(request: Request) -> Response:
    gateway: Gateway = request.app.state.gateway
    await gateway.store.is_empty()
    return JSONResponse({"status": "ready"})


async def _metrics(request: Request) -> Response:
    """Prometheus text: what this process's database writer committed."""
    gateway: Gateway = request.app.state.gateway
    stats = gateway.store.stats
    lines = [
        "# TYPE mmgate_db_commits_total counter",
        f"mmgate_db_commits_total {stats.batches}",
        "# TYPE mmgate_db_write_items_total counter",
        f"mmgate_db_write_items_total {stats.items}",
        "# TYPE mmgate_db_rows_written_total counter",
        f"mmgate_db_rows_written_total {stats.rows}",
    ]
    return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")


def build_app(settings: Settings | None = None, **kwargs: Any) -> MmgateApp:
    return MmgateApp(settings or Settings.from_env(), **kwargs)


def app_from_env() -> MmgateApp:
    """The factory each process of `mmgate serve --workers N` calls (settings from MMGATE_*)."""
    return MmgateApp(Settings.from_env())
