"""What the gateway's routes reach through `request.app.state.gateway`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request

from mmgate.cache import TtlCache
from mmgate.clock import Clock
from mmgate.delivery.endpoints import EndpointBook
from mmgate.gateway.ratelimit import PartnerApiGuard
from mmgate.services.accept import Accepter
from mmgate.services.directory import Directory
from mmgate.services.templates import TemplateCatalog
from mmgate.services.wabas import WabaCatalog
from mmgate.settings import Settings
from mmgate.storage.port import Store, UpstreamCredentials
from mmgate.upstream.graph import GraphClient


@dataclass
class Gateway:
    store: Store
    clock: Clock
    accepter: Accepter
    templates: TemplateCatalog
    wabas: WabaCatalog
    # Directory writes go through here: each clears the caches it makes stale.
    directory: Directory
    upstream: TtlCache[int, UpstreamCredentials | None]
    wake_relay: Callable[[], None]
    graph: GraphClient
    endpoints: EndpointBook
    private_webhooks_allowed: bool
    # The security limits read these (rate limits, key rotation).
    settings: Settings = field(default_factory=Settings)
    partner_guard: PartnerApiGuard = field(init=False)

    def __post_init__(self) -> None:
        self.partner_guard = PartnerApiGuard(self.settings)


def gateway_of(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway
