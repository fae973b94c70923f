"""What the gateway's routes reach through `request.app.state.gateway`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request

from mmgate.cache import TtlCache
from mmgate.clock import Clock
from mmgate.delivery.endpoints import EndpointBook
from mmgate.gateway.accept import Accepter
from mmgate.gateway.ratelimit import PartnerApiGuard
from mmgate.services.directory import Directory
from mmgate.services.templates import TemplateCatalog
from mmgate.services.wabas import WabaCatalog
from mmgate.settings import Settings
from mmgate.storage.port import Channel, Partner, Store, UpstreamCredentials
from mmgate.upstream.graph import GraphClient


@dataclass
class Gateway:
    store: Store
    clock: Clock
    accepter: Accepter
    templates: TemplateCatalog
    wabas: WabaCatalog
    channels: TtlCache[str, Channel | None]
    channels_by_key: TtlCache[str, Channel | None]
    partners: TtlCache[str, Partner | None]
    upstream: TtlCache[int, UpstreamCredentials | None]
    wake_relay: Callable[[], None]
    graph: GraphClient
    endpoints: EndpointBook
    private_webhooks_allowed: bool
    # The security limits read these (rate limits, key rotation).
    settings: Settings = field(default_factory=Settings)
    partner_guard: PartnerApiGuard = field(init=False)
    # Directory writes go through here: each clears the caches above that it makes stale.
    directory: Directory = field(init=False)

    def __post_init__(self) -> None:
        self.partner_guard = PartnerApiGuard(self.settings)
        self.directory = Directory(self.store, self.channels, self.channels_by_key, self.partners)


def gateway_of(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway
