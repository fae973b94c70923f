"""The gateway's template knowledge: memory, then the database, then a Graph look-up.

A name that Meta does not know is remembered as unknown for a few seconds only,
so a template created a moment later becomes usable without a restart.
"""

from __future__ import annotations

from mmgate.clock import Clock
from mmgate.domain.templates import TemplateInfo, info_from_graph
from mmgate.storage.port import Store
from mmgate.upstream.graph import GraphClient

KNOWN_TTL = 60.0
UNKNOWN_TTL = 5.0


class TemplateCatalog:
    def __init__(self, store: Store, clock: Clock, graph: GraphClient) -> None:
        self._store = store
        self._clock = clock
        self.graph = graph
        self._memory: dict[tuple[str, str, str], tuple[float, TemplateInfo | None]] = {}

    async def get(self, waba_id: str, name: str, language: str) -> TemplateInfo | None:
        key = (waba_id, name, language)
        now = self._clock.now()
        hit = self._memory.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        info = await self._store.template(waba_id, name, language)
        if info is None:
            info = await self._look_up(waba_id, name, language)
        self._memory[key] = (now + (KNOWN_TTL if info else UNKNOWN_TTL), info)
        return info

    async def _look_up(self, waba_id: str, name: str, language: str) -> TemplateInfo | None:
        found = [info_from_graph(t) for t in await self.graph.message_templates(waba_id, name)]
        templates = [t for t in found if t is not None and t.name == name]
        if templates:
            await self._store.save_templates(waba_id, templates, self._clock.now())
        return next((t for t in templates if t.language == language), None)

    async def refresh(self, waba_id: str, name: str) -> None:
        """Re-read a template from Meta (all its languages) after Meta changed it."""
        self.forget(waba_id, name)
        found = [info_from_graph(t) for t in await self.graph.message_templates(waba_id, name)]
        templates = [t for t in found if t is not None and t.name == name]
        if templates:
            await self._store.save_templates(waba_id, templates, self._clock.now())

    async def update(
        self,
        waba_id: str,
        name: str,
        language: str,
        *,
        status: str | None,
        category: str | None,
        sync_until: float | None,
    ) -> None:
        """Record a template webhook's news; the next send here reads it fresh."""
        await self._store.update_template(
            waba_id, name, language, status=status, category=category, sync_until=sync_until
        )
        self.forget(waba_id, name)

    def forget(self, waba_id: str, name: str) -> None:
        for key in [k for k in self._memory if k[0] == waba_id and k[1] == name]:
            del self._memory[key]
