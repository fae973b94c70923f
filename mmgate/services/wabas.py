"""The gateway's knowledge of each WABA's MM status, for routing at accept time.

Filled by a Graph look-up (`GET /{waba_id}?fields=…`), kept for a minute and
dropped at once when an `account_update` webhook arrives. When Meta cannot be
asked, the facts are unknown and Meta decides (design §4).
"""

from __future__ import annotations

import logging

from mmgate.cache import TtlCache
from mmgate.clock import Clock
from mmgate.domain.routing import UNKNOWN_WABA, WabaFacts
from mmgate.errors import GraphError
from mmgate.storage.port import Store
from mmgate.upstream.graph import GraphClient, UpstreamUnavailable

log = logging.getLogger(__name__)
FACTS_SECONDS = 60.0
FIELDS = "marketing_messages_onboarding_status,disable_marketing_messages_on_cloud_api"


class WabaCatalog:
    def __init__(self, store: Store, clock: Clock, graph: GraphClient) -> None:
        self._store = store
        self._graph = graph
        self._cache: TtlCache[str, WabaFacts] = TtlCache(clock, FACTS_SECONDS, self._look_up)

    async def get(self, waba_id: str) -> WabaFacts:
        return await self._cache.get(waba_id)

    def invalidate(self, waba_id: str) -> None:
        self._cache.invalidate(waba_id)

    async def set_mm_status(self, waba_id: str, status: str) -> None:
        """Record what Meta said (an `account_update`); the next send here reads it fresh."""
        await self._store.set_waba_mm_status(waba_id, status)
        self._cache.invalidate(waba_id)

    async def _look_up(self, waba_id: str) -> WabaFacts:
        try:
            fields = await self._graph.object_fields(waba_id, FIELDS)
        except (GraphError, UpstreamUnavailable) as exc:
            log.info("WABA %s facts unknown: %s", waba_id, exc)
            return UNKNOWN_WABA
        status = fields.get("marketing_messages_onboarding_status")
        disabled = fields.get("disable_marketing_messages_on_cloud_api")
        if isinstance(status, str):
            await self._store.set_waba_mm_status(waba_id, status)
        return WabaFacts(
            onboarded=(status == "ONBOARDED") if isinstance(status, str) else None,
            marketing_disabled_on_cloud_api=disabled if isinstance(disabled, bool) else None,
        )
