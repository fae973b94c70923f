"""The per-process caches of the gateway's directory, built once per app.

Reads go through them on the hot path (a key, its channel, the partner); writes go through
`services/directory.py`, which clears what it changed. Another process sees a change when
its entry's TTL runs out.
"""

from __future__ import annotations

from dataclasses import dataclass

from mmgate.cache import TtlCache
from mmgate.clock import Clock
from mmgate.services.keys import key_in_force
from mmgate.storage.port import Channel, Partner, Store, UpstreamCredentials

CACHE_SECONDS = 2.0


@dataclass(frozen=True)
class DirectoryCaches:
    channels: TtlCache[str, Channel | None]
    channels_by_key: TtlCache[str, Channel | None]
    partners: TtlCache[str, Partner | None]
    upstream: TtlCache[int, UpstreamCredentials | None]


def directory_caches(store: Store, clock: Clock) -> DirectoryCaches:
    async def load_upstream(_: int) -> UpstreamCredentials | None:
        return await store.upstream()

    return DirectoryCaches(
        channels=TtlCache(clock, CACHE_SECONDS, store.channel_by_id),
        # A key rotated away stops at the end of its overlap, also while cached.
        channels_by_key=TtlCache(clock, CACHE_SECONDS, store.channel_for_key, view=key_in_force),
        partners=TtlCache(clock, CACHE_SECONDS, store.partner),
        upstream=TtlCache(clock, CACHE_SECONDS, load_upstream),
    )
