"""Writes to the gateway's directory (partners, channels and their keys), each clearing the
per-process caches it makes stale, so no route has to remember which cache a write touches.

Other processes see a change when their cache entry's TTL runs out (docs/operations.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from mmgate.cache import TtlCache
from mmgate.storage.port import UNSET, ApiKeyRecord, Channel, Chaos, HubStore, Partner, Store, Unset


@dataclass
class Directory:
    store: Store
    channels: TtlCache[str, Channel | None]
    channels_by_key: TtlCache[str, Channel | None]
    partners: TtlCache[str, Partner | None]

    async def update_partner(
        self,
        partner_id: str,
        *,
        webhook_url: str | Unset | None = UNSET,
        marketing_routing: bool | Unset = UNSET,
    ) -> None:
        await self.store.update_partner(
            partner_id, webhook_url=webhook_url, marketing_routing=marketing_routing
        )
        self.partners.invalidate(partner_id)  # the next send in this process sees it

    async def rotate_webhook_secret(self, partner_id: str, secret: str, until: float) -> None:
        await self.store.rotate_webhook_secret(partner_id, secret, until)
        self.partners.invalidate(partner_id)

    async def set_channel_webhook(
        self, channel_id: str, url: str | None, headers: dict[str, str], chaos: Chaos | None
    ) -> None:
        await self.store.set_channel_webhook(channel_id, url, headers, chaos)
        self.channels.invalidate(channel_id)
        self.channels_by_key.invalidate()  # cached by key hash: every key of the channel

    async def rotate_channel_key(
        self, partner_id: str, channel_id: str, key: ApiKeyRecord, until: float
    ) -> bool:
        rotated = await self.store.rotate_channel_key(partner_id, channel_id, key, until)
        if rotated:
            self.channels_by_key.invalidate()  # the old keys' new end shows here at once
        return rotated

    async def revoke_channel_key(
        self, partner_id: str, channel_id: str, key_hash: str, now: float
    ) -> bool:
        revoked = await self.store.revoke_channel_key(partner_id, channel_id, key_hash, now)
        if revoked:
            self.channels_by_key.invalidate(key_hash)
        return revoked

    async def revoke_key_in_hub(
        self, hub_store: HubStore, partner_id: str, key_hash: str, now: float
    ) -> str | None:
        """The Hub's revocation (by key alone); the revoked key's channel id, or None."""
        channel_id = await hub_store.hub_revoke_api_key(partner_id, key_hash, now)
        if channel_id is not None:
            self.channels_by_key.invalidate(key_hash)
        return channel_id
