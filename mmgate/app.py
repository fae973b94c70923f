"""The app factory, and only composition: it builds the parts from the settings, composes
the one route table, registers each surface's error rendering and hands the workers to the
runtime (mmgate/runtime.py). Routes marked FastRoute (the send path, Meta's webhooks, the
emulator's Graph send) are dispatched before any framework code runs (gateway/direct.py).
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send

from mmgate.clock import Clock, SystemClock, persisted_sandbox_clock
from mmgate.emulator import routes as emulator_routes
from mmgate.emulator.state import Emulator
from mmgate.gateway import health
from mmgate.gateway import routes as gateway_routes
from mmgate.gateway.context import Gateway
from mmgate.gateway.direct import DirectRoutes
from mmgate.gateway.messaging import SEND_PATHS, MessagingEndpoint
from mmgate.httpclient import InProcessClient, NetworkClient, RoutingClient
from mmgate.runtime import Workers
from mmgate.services.accept import Accepter
from mmgate.services.caches import directory_caches
from mmgate.services.directory import Directory
from mmgate.services.templates import TemplateCatalog
from mmgate.services.throughput import ThroughputLimiter
from mmgate.services.wabas import WabaCatalog
from mmgate.settings import INTERNAL_ORIGIN, Settings
from mmgate.storage.factory import create_store, sqlite_writer_kind
from mmgate.ui import hub, landing
from mmgate.upstream.graph import GraphClient
from mmgate.web import surfaces
from mmgate.web.routing import FastRoute
from mmgate.workspace import provision, spec

log = logging.getLogger(__name__)
# Young collections stay as CPython has them (cheap: a few hundred objects each); full
# ones come after 1,000 middle ones instead of 10. Interleaved open loops at 1,000 msg/s,
# p99 accept: 38 and 30 ms with these, 49 and 46 ms with CPython's (700, 10, 10), 47 and
# 32 ms with (50000, 20, 50), whose young passes of 50k objects stalled 7-13 ms each.
GC_THRESHOLDS = (700, 10, 1000)


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
            sqlite_writer=settings.sqlite_writer,
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
                journal_writer=sqlite_writer_kind(settings.sqlite_writer),
            )
        self.caches = directory_caches(self.store, self.clock)
        self.workers = Workers(
            self.store, self.clock, self.graph, self.network_http, self.caches, settings
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
        """The services the gateway's routes reach (gateway/context.py)."""
        s, store, clock, caches = self.settings, self.store, self.clock, self.caches
        templates = TemplateCatalog(store, clock, self.graph)
        wabas = WabaCatalog(store, clock, self.graph)
        accepter = Accepter(
            store,
            clock,
            templates,
            caches.channels_by_key,
            caches.partners,
            wabas,
            self.workers.dispatch_worker.waker.wake,
            # Shared by every process and host through the database.
            ThroughputLimiter(s.throughput_per_number, store, clock),
        )
        return Gateway(
            store=store,
            clock=clock,
            accepter=accepter,
            templates=templates,
            wabas=wabas,
            directory=Directory(store, caches.channels, caches.channels_by_key, caches.partners),
            upstream=caches.upstream,
            wake_relay=self.workers.wake_relays,
            graph=self.graph,
            endpoints=self.workers.endpoints,
            private_webhooks_allowed=s.private_webhooks_allowed,
            settings=s,
        )

    def _routes(self) -> list[BaseRoute]:
        """The one route table: each path and method registered once (a test holds it:
        tests/integration/security/test_openapi.py)."""
        routes: list[BaseRoute] = [
            *health.routes,
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
            self.workers.start(self.emulator)
            # What startup built lives as long as the process: out of the collector's
            # reach, a full collection walks only what came after (a gen-2 pass under
            # load went from ~35 ms to ~15 ms of stalled event loop, once a second), and
            # collections come less often: each pass stalls every request in flight,
            # and the pipeline makes few cycles (gen-2 passes collected nothing).
            gc.freeze()
            gc.set_threshold(*GC_THRESHOLDS)
            try:
                yield
            finally:
                await self.workers.stop(self.emulator)
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
        worlds = self.emulator.worlds if self.emulator is not None else None
        await provision.provision_at_start(
            self.store, worlds, self.settings, self.seed, self.clock.now(), self.on_ready
        )


def build_app(settings: Settings | None = None, **kwargs: Any) -> MmgateApp:
    return MmgateApp(settings or Settings.from_env(), **kwargs)


def app_from_env() -> MmgateApp:
    """The factory each process of `mmgate serve --workers N` calls (settings from MMGATE_*)."""
    return MmgateApp(Settings.from_env())
