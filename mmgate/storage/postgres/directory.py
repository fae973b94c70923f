"""Partners, their clients, WABAs, channels and API keys, and the upstream credentials."""

from __future__ import annotations

import json
from dataclasses import replace

from mmgate.storage.port import (
    UNSET,
    ApiKeyRecord,
    Channel,
    Chaos,
    ClientRecord,
    Partner,
    Unset,
    UpstreamCredentials,
    WabaRecord,
)
from mmgate.storage.postgres import rows
from mmgate.storage.postgres.engine import Connection, Database

# Provisioning runs again whenever a seed is loaded: it updates in place. The
# onboarding token, once issued, survives a run that does not name one.
_SAVE_PARTNER = """
INSERT INTO partners (id, name, key_hash, webhook_url, webhook_secret, marketing_routing,
    created_at, onboarding_token)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, key_hash = excluded.key_hash,
    webhook_url = excluded.webhook_url, webhook_secret = excluded.webhook_secret,
    onboarding_token = COALESCE(excluded.onboarding_token, partners.onboarding_token)
"""

_SAVE_CHANNEL = """
INSERT INTO channels (id, waba_id, phone_number_id, display_phone_number, webhook_url,
    webhook_headers, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (id) DO UPDATE SET display_phone_number = excluded.display_phone_number
"""


class Directory:
    db: Database

    # -- provisioning ---------------------------------------------------------------

    async def save_partner(self, partner: Partner, key_hash: str, now: float) -> None:
        p = partner
        await self.db.write(
            lambda c: c.execute(
                _SAVE_PARTNER,
                p.id,
                p.name,
                key_hash,
                p.webhook_url,
                p.webhook_secret,
                p.marketing_routing,
                now,
                p.onboarding_token,
            )
        )

    async def save_client(self, partner_id: str, business_id: str, name: str) -> None:
        await self.db.write(
            lambda c: c.execute(
                "INSERT INTO clients (business_id, partner_id, name) VALUES ($1,$2,$3) "
                "ON CONFLICT (business_id) DO UPDATE SET name = excluded.name",
                business_id,
                partner_id,
                name,
            )
        )

    async def save_waba(self, business_id: str, waba_id: str, name: str) -> None:
        await self.db.write(
            lambda c: c.execute(
                "INSERT INTO wabas (id, business_id, name) VALUES ($1,$2,$3) "
                "ON CONFLICT (id) DO UPDATE SET name = excluded.name",
                waba_id,
                business_id,
                name,
            )
        )

    async def save_channel(self, channel: Channel, now: float) -> None:
        ch = channel
        await self.db.write(
            lambda c: c.execute(
                _SAVE_CHANNEL,
                ch.id,
                ch.waba_id,
                ch.phone_number_id,
                ch.display_phone_number,
                ch.webhook_url,
                json.dumps(ch.webhook_headers),
                now,
            )
        )

    async def add_api_key(self, channel_id: str, key_hash: str, now: float) -> None:
        await self.db.write(
            lambda c: c.execute(
                "INSERT INTO api_keys (key_hash, channel_id, created_at) VALUES ($1,$2,$3) "
                "ON CONFLICT DO NOTHING",
                key_hash,
                channel_id,
                now,
            )
        )

    async def save_upstream(self, credentials: UpstreamCredentials) -> None:
        cr = credentials
        await self.db.write(
            lambda c: c.execute(
                "INSERT INTO upstream (id, graph_token, app_secret, verify_token) "
                "VALUES (1,$1,$2,$3) ON CONFLICT (id) DO UPDATE SET "
                "graph_token = excluded.graph_token, app_secret = excluded.app_secret, "
                "verify_token = excluded.verify_token",
                cr.graph_token,
                cr.app_secret,
                cr.verify_token,
            )
        )

    async def is_empty(self) -> bool:
        empty = await self.db.read(
            lambda c: c.fetchval("SELECT NOT EXISTS (SELECT 1 FROM partners)")
        )
        return bool(empty)

    # -- partners -----------------------------------------------------------------------

    async def partner(self, partner_id: str) -> Partner | None:
        return await self._partner_where("id = $1", partner_id)

    async def partner_for_key(self, key_hash: str) -> Partner | None:
        return await self._partner_where("key_hash = $1", key_hash)

    async def partner_for_onboarding_token(self, token: str) -> Partner | None:
        return await self._partner_where("onboarding_token = $1", token)

    async def _partner_where(self, condition: str, value: str) -> Partner | None:
        row = await self.db.read(
            lambda c: c.fetchrow(f"{rows.PARTNER_SELECT} WHERE {condition}", value)
        )
        return rows.partner(row)

    async def rotate_webhook_secret(
        self, partner_id: str, new_secret: str, previous_until: float
    ) -> None:
        # The old secret keeps signing until previous_until, so receivers can switch over.
        await self.db.write(
            lambda c: c.execute(
                "UPDATE partners SET previous_webhook_secret = webhook_secret, "
                "previous_secret_until = $1, webhook_secret = $2 WHERE id = $3",
                previous_until,
                new_secret,
                partner_id,
            )
        )

    async def update_partner(
        self,
        partner_id: str,
        *,
        webhook_url: str | Unset | None = UNSET,
        marketing_routing: bool | Unset = UNSET,
    ) -> None:
        async def run(c: Connection) -> None:
            if not isinstance(webhook_url, Unset):
                await c.execute(
                    "UPDATE partners SET webhook_url = $1 WHERE id = $2", webhook_url, partner_id
                )
            if not isinstance(marketing_routing, Unset):
                await c.execute(
                    "UPDATE partners SET marketing_routing = $1 WHERE id = $2",
                    marketing_routing,
                    partner_id,
                )

        await self.db.write(run)

    async def clients(self, partner_id: str) -> list[ClientRecord]:
        # COLLATE "C" sorts as SQLite does (bytewise), whatever the database's locale.
        async def run(c: Connection) -> list[ClientRecord]:
            wabas: dict[str, list[WabaRecord]] = {}
            for row in await c.fetch(
                "SELECT w.business_id, w.id, w.name, w.mm_status FROM wabas w "
                "JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = $1 "
                'ORDER BY w.id COLLATE "C"',
                partner_id,
            ):
                wabas.setdefault(row[0], []).append(WabaRecord(row[1], row[2], row[3]))
            return [
                ClientRecord(row[0], row[1], wabas.get(row[0], []))
                for row in await c.fetch(
                    "SELECT business_id, name FROM clients WHERE partner_id = $1 "
                    'ORDER BY name COLLATE "C"',
                    partner_id,
                )
            ]

        return await self.db.read(run)

    async def waba_partner(self, waba_id: str) -> str | None:
        partner_id = await self.db.read(
            lambda c: c.fetchval(
                "SELECT cl.partner_id FROM wabas w "
                "JOIN clients cl ON cl.business_id = w.business_id WHERE w.id = $1",
                waba_id,
            )
        )
        return None if partner_id is None else str(partner_id)

    async def set_waba_mm_status(self, waba_id: str, status: str) -> None:
        await self.db.write(
            lambda c: c.execute("UPDATE wabas SET mm_status = $1 WHERE id = $2", status, waba_id)
        )

    # -- channels -----------------------------------------------------------------------

    async def channel_for_key(self, key_hash: str) -> Channel | None:
        async def run(c: Connection) -> Channel | None:
            key = await c.fetchrow(
                "SELECT channel_id, expires_at FROM api_keys "
                "WHERE key_hash = $1 AND revoked_at IS NULL",
                key_hash,
            )
            if key is None:
                return None
            channel = rows.channel(
                await c.fetchrow(rows.CHANNEL_SELECT + " WHERE c.id = $1", key[0])
            )
            return None if channel is None else replace(channel, key_valid_until=key[1])

        return await self.db.read(run)

    async def channel_by_id(self, channel_id: str) -> Channel | None:
        row = await self.db.read(
            lambda c: c.fetchrow(rows.CHANNEL_SELECT + " WHERE c.id = $1", channel_id)
        )
        return rows.channel(row)

    async def channel_for_phone_number(self, phone_number_id: str) -> Channel | None:
        row = await self.db.read(
            lambda c: c.fetchrow(
                rows.CHANNEL_SELECT + " WHERE c.phone_number_id = $1", phone_number_id
            )
        )
        return rows.channel(row)

    async def channels(self, partner_id: str) -> list[Channel]:
        found = await self.db.read(
            lambda c: c.fetch(
                rows.CHANNEL_SELECT + ' WHERE cl.partner_id = $1 ORDER BY c.id COLLATE "C"',
                partner_id,
            )
        )
        return rows.channels(found)

    async def set_channel_webhook(
        self, channel_id: str, url: str | None, headers: dict[str, str], chaos: Chaos | None = None
    ) -> None:
        chaos = chaos or Chaos()
        await self.db.write(
            lambda c: c.execute(
                "UPDATE channels SET webhook_url = $1, webhook_headers = $2, "
                "chaos_duplicates = $3, chaos_out_of_order = $4 WHERE id = $5",
                url,
                json.dumps(headers),
                chaos.duplicates,
                chaos.out_of_order,
                channel_id,
            )
        )

    # -- upstream -----------------------------------------------------------------------

    async def upstream(self) -> UpstreamCredentials | None:
        row = await self.db.read(
            lambda c: c.fetchrow("SELECT graph_token, app_secret, verify_token FROM upstream")
        )
        return None if row is None else UpstreamCredentials(row[0], row[1], row[2])

    # -- keys: rotation with an overlap, revocation --------------------------------------

    async def partner_for_key_at(self, key_hash: str, now: float) -> Partner | None:
        row = await self.db.read(
            lambda c: c.fetchrow(
                f"{rows.PARTNER_SELECT} WHERE key_hash = $1 "
                "OR (previous_key_hash = $1 AND previous_key_until > $2)",
                key_hash,
                now,
            )
        )
        return rows.partner(row)

    async def rotate_partner_key(
        self, partner_id: str, new_key_hash: str, previous_until: float
    ) -> None:
        await self.db.write(
            lambda c: c.execute(
                "UPDATE partners SET previous_key_hash = key_hash, previous_key_until = $1, "
                "key_hash = $2 WHERE id = $3",
                previous_until,
                new_key_hash,
                partner_id,
            )
        )

    async def channel_keys(self, partner_id: str, channel_id: str) -> list[ApiKeyRecord] | None:
        async def run(c: Connection) -> list[ApiKeyRecord] | None:
            if not await _partner_channel(c, partner_id, channel_id):
                return None
            found = await c.fetch(
                "SELECT key_hash, channel_id, label, hint, created_at, revoked_at, expires_at "
                "FROM api_keys WHERE channel_id = $1 ORDER BY created_at, rowid",
                channel_id,
            )
            return [ApiKeyRecord(*r) for r in found]

        return await self.db.read(run)

    async def rotate_channel_key(
        self, partner_id: str, channel_id: str, new_key: ApiKeyRecord, previous_until: float
    ) -> bool:
        async def run(c: Connection) -> bool:
            if not await _partner_channel(c, partner_id, channel_id):
                return False
            await c.execute(
                "UPDATE api_keys SET expires_at = LEAST(COALESCE(expires_at, $1), $1) "
                "WHERE channel_id = $2 AND revoked_at IS NULL",
                previous_until,
                channel_id,
            )
            await c.execute(
                "INSERT INTO api_keys (key_hash, channel_id, created_at, label, hint) "
                "VALUES ($1,$2,$3,$4,$5)",
                new_key.key_hash,
                channel_id,
                new_key.created_at,
                new_key.label,
                new_key.hint,
            )
            return True

        return await self.db.write(run)

    async def revoke_channel_key(
        self, partner_id: str, channel_id: str, key_hash: str, now: float
    ) -> bool:
        async def run(c: Connection) -> bool:
            if not await _partner_channel(c, partner_id, channel_id):
                return False
            status = await c.execute(
                "UPDATE api_keys SET revoked_at = $1 "
                "WHERE key_hash = $2 AND channel_id = $3 AND revoked_at IS NULL",
                now,
                key_hash,
                channel_id,
            )
            return bool(status != "UPDATE 0")

        return await self.db.write(run)


async def _partner_channel(c: Connection, partner_id: str, channel_id: str) -> bool:
    found = await c.fetchval(
        "SELECT 1 FROM channels ch JOIN wabas w ON w.id = ch.waba_id "
        "JOIN clients cl ON cl.business_id = w.business_id "
        "WHERE ch.id = $1 AND cl.partner_id = $2",
        channel_id,
        partner_id,
    )
    return found is not None
