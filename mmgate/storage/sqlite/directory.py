"""Partners, clients, WABAs, channels, keys, credentials and templates on SQLite."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace

from mmgate.domain.templates import TemplateInfo
from mmgate.storage.port import (
    CLIENT_WEBHOOK,
    PARTNER_WEBHOOK,
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
from mmgate.storage.sqlite.engine import Engine
from mmgate.storage.sqlite.rows import (
    CHANNEL_SELECT,
    PARTNER_SELECT,
    channel_from_row,
    partner_from_row,
)


class DirectoryQueries:
    engine: Engine

    # -- provisioning ---------------------------------------------------------------

    async def save_partner(self, partner: Partner, key_hash: str, now: float) -> None:
        def run(c: sqlite3.Connection) -> None:
            c.execute(
                "INSERT INTO partners (id, name, key_hash, webhook_url, webhook_secret, "
                "marketing_routing, created_at, onboarding_token) VALUES (?,?,?,?,?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET name=excluded.name, key_hash=excluded.key_hash, "
                "webhook_url=excluded.webhook_url, webhook_secret=excluded.webhook_secret, "
                "onboarding_token=COALESCE(excluded.onboarding_token, partners.onboarding_token)",
                (
                    partner.id,
                    partner.name,
                    key_hash,
                    partner.webhook_url,
                    partner.webhook_secret,
                    int(partner.marketing_routing),
                    now,
                    partner.onboarding_token,
                ),
            )

        await self.engine.write(run)

    async def save_client(self, partner_id: str, business_id: str, name: str) -> None:
        await self.engine.write(
            lambda c: c.execute(
                "INSERT INTO clients (business_id, partner_id, name) VALUES (?,?,?) "
                "ON CONFLICT(business_id) DO UPDATE SET name=excluded.name",
                (business_id, partner_id, name),
            )
        )

    async def save_waba(self, business_id: str, waba_id: str, name: str) -> None:
        await self.engine.write(
            lambda c: c.execute(
                "INSERT INTO wabas (id, business_id, name) VALUES (?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET name=excluded.name",
                (waba_id, business_id, name),
            )
        )

    async def save_channel(self, channel: Channel, now: float) -> None:
        await self.engine.write(
            lambda c: c.execute(
                "INSERT INTO channels (id, waba_id, phone_number_id, display_phone_number, "
                "webhook_url, webhook_headers, created_at) VALUES (?,?,?,?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET display_phone_number=excluded.display_phone_number",
                (
                    channel.id,
                    channel.waba_id,
                    channel.phone_number_id,
                    channel.display_phone_number,
                    channel.webhook_url,
                    json.dumps(channel.webhook_headers),
                    now,
                ),
            )
        )

    async def add_api_key(self, channel_id: str, key_hash: str, now: float) -> None:
        await self.engine.write(
            lambda c: c.execute(
                "INSERT OR IGNORE INTO api_keys (key_hash, channel_id, created_at) VALUES (?,?,?)",
                (key_hash, channel_id, now),
            )
        )

    async def save_upstream(self, credentials: UpstreamCredentials) -> None:
        await self.engine.write(
            lambda c: c.execute(
                "INSERT INTO upstream VALUES (1,?,?,?) ON CONFLICT(id) DO UPDATE SET "
                "graph_token=excluded.graph_token, app_secret=excluded.app_secret, "
                "verify_token=excluded.verify_token",
                (credentials.graph_token, credentials.app_secret, credentials.verify_token),
            )
        )

    async def is_empty(self) -> bool:
        return await self.engine.read(
            lambda c: c.execute("SELECT NOT EXISTS (SELECT 1 FROM partners)").fetchone()[0] == 1
        )

    # -- look-ups -----------------------------------------------------------------------

    async def channel_for_key(self, key_hash: str) -> Channel | None:
        def run(c: sqlite3.Connection) -> Channel | None:
            key = c.execute(
                "SELECT channel_id, expires_at FROM api_keys "
                "WHERE key_hash = ? AND revoked_at IS NULL",
                (key_hash,),
            ).fetchone()
            if key is None:
                return None
            channel = channel_from_row(
                c.execute(CHANNEL_SELECT + " WHERE c.id = ?", (key[0],)).fetchone()
            )
            return None if channel is None else replace(channel, key_valid_until=key[1])

        return await self.engine.read(run)

    async def channel_by_id(self, channel_id: str) -> Channel | None:
        return await self.engine.read(
            lambda c: channel_from_row(
                c.execute(CHANNEL_SELECT + " WHERE c.id = ?", (channel_id,)).fetchone()
            )
        )

    async def partner(self, partner_id: str) -> Partner | None:
        return await self._partner_where("id = ?", partner_id)

    async def partner_for_key(self, key_hash: str) -> Partner | None:
        return await self._partner_where("key_hash = ?", key_hash)

    async def partner_for_onboarding_token(self, token: str) -> Partner | None:
        return await self._partner_where("onboarding_token = ?", token)

    async def _partner_where(self, condition: str, value: str) -> Partner | None:
        return await self.engine.read(
            lambda c: partner_from_row(
                c.execute(f"{PARTNER_SELECT} WHERE {condition}", (value,)).fetchone()
            )
        )

    async def rotate_webhook_secret(
        self, partner_id: str, new_secret: str, previous_until: float
    ) -> None:
        await self.engine.write(
            lambda c: c.execute(
                "UPDATE partners SET previous_webhook_secret = webhook_secret, "
                "previous_secret_until = ?, webhook_secret = ? WHERE id = ?",
                (previous_until, new_secret, partner_id),
            )
        )

    async def update_partner(
        self,
        partner_id: str,
        *,
        webhook_url: str | Unset | None = UNSET,
        marketing_routing: bool | Unset = UNSET,
    ) -> None:
        def run(c: sqlite3.Connection) -> None:
            if not isinstance(webhook_url, Unset):
                c.execute(
                    "UPDATE partners SET webhook_url = ? WHERE id = ?", (webhook_url, partner_id)
                )
            if not isinstance(marketing_routing, Unset):
                c.execute(
                    "UPDATE partners SET marketing_routing = ? WHERE id = ?",
                    (int(marketing_routing), partner_id),
                )

        await self.engine.write(run)

    async def clients(self, partner_id: str) -> list[ClientRecord]:
        def run(c: sqlite3.Connection) -> list[ClientRecord]:
            wabas: dict[str, list[WabaRecord]] = {}
            for row in c.execute(
                "SELECT w.business_id, w.id, w.name, w.mm_status FROM wabas w "
                "JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = ? "
                "ORDER BY w.id",
                (partner_id,),
            ):
                wabas.setdefault(row[0], []).append(WabaRecord(row[1], row[2], row[3]))
            return [
                ClientRecord(row[0], row[1], wabas.get(row[0], []))
                for row in c.execute(
                    "SELECT business_id, name FROM clients WHERE partner_id = ? ORDER BY name",
                    (partner_id,),
                )
            ]

        return await self.engine.read(run)

    async def channels(self, partner_id: str) -> list[Channel]:
        def run(c: sqlite3.Connection) -> list[Channel]:
            rows = c.execute(
                CHANNEL_SELECT + " WHERE cl.partner_id = ? ORDER BY c.id", (partner_id,)
            ).fetchall()
            return [ch for ch in map(channel_from_row, rows) if ch is not None]

        return await self.engine.read(run)

    async def waba_partner(self, waba_id: str) -> str | None:
        row = await self.engine.read(
            lambda c: c.execute(
                "SELECT cl.partner_id FROM wabas w "
                "JOIN clients cl ON cl.business_id = w.business_id WHERE w.id = ?",
                (waba_id,),
            ).fetchone()
        )
        return None if row is None else str(row[0])

    async def channel_for_phone_number(self, phone_number_id: str) -> Channel | None:
        return await self.engine.read(
            lambda c: channel_from_row(
                c.execute(
                    CHANNEL_SELECT + " WHERE c.phone_number_id = ?", (phone_number_id,)
                ).fetchone()
            )
        )

    async def update_template(
        self,
        waba_id: str,
        name: str,
        language: str,
        *,
        status: str | None,
        category: str | None,
        sync_until: float | None = None,
    ) -> None:
        await self.engine.write(
            lambda c: c.execute(
                "UPDATE templates SET status = COALESCE(?, status), "
                "category = COALESCE(?, category), sync_until = COALESCE(?, sync_until) "
                "WHERE waba_id = ? AND name = ? AND language = ?",
                (status, category, sync_until, waba_id, name, language),
            )
        )

    async def record_partner_event(
        self, partner_id: str, body: bytes, ordering_key: str | None, now: float
    ) -> bool:
        def run(c: sqlite3.Connection) -> bool:
            cur = c.execute(
                "INSERT INTO jobs (kind, ref, ordering_key, run_at, payload, created_at) "
                "SELECT ?, id, ?, ?, ?, ? FROM partners WHERE id = ? AND webhook_url IS NOT NULL",
                (PARTNER_WEBHOOK, ordering_key, now, body, now, partner_id),
            )
            return cur.rowcount > 0

        return await self.engine.write(run)

    async def record_channel_event(self, channel_id: str, body: bytes, now: float) -> bool:
        def run(c: sqlite3.Connection) -> bool:
            cur = c.execute(
                "INSERT INTO jobs (kind, ref, run_at, payload, created_at) "
                "SELECT ?, id, ?, ?, ? FROM channels WHERE id = ? AND webhook_url IS NOT NULL",
                (CLIENT_WEBHOOK, now, body, now, channel_id),
            )
            return cur.rowcount > 0

        return await self.engine.write(run)

    async def set_waba_mm_status(self, waba_id: str, status: str) -> None:
        await self.engine.write(
            lambda c: c.execute("UPDATE wabas SET mm_status = ? WHERE id = ?", (status, waba_id))
        )

    async def upstream(self) -> UpstreamCredentials | None:
        row = await self.engine.read(
            lambda c: c.execute(
                "SELECT graph_token, app_secret, verify_token FROM upstream"
            ).fetchone()
        )
        return None if row is None else UpstreamCredentials(row[0], row[1], row[2])

    async def set_channel_webhook(
        self, channel_id: str, url: str | None, headers: dict[str, str], chaos: Chaos | None = None
    ) -> None:
        chaos = chaos or Chaos()
        await self.engine.write(
            lambda c: c.execute(
                "UPDATE channels SET webhook_url = ?, webhook_headers = ?, chaos_duplicates = ?, "
                "chaos_out_of_order = ? WHERE id = ?",
                (url, json.dumps(headers), chaos.duplicates, int(chaos.out_of_order), channel_id),
            )
        )

    async def template(self, waba_id: str, name: str, language: str) -> TemplateInfo | None:
        row = await self.engine.read(
            lambda c: c.execute(
                "SELECT name, language, category, status, body_params, url_button_params, "
                "ttl_seconds, sync_until, bid_amount FROM templates "
                "WHERE waba_id = ? AND name = ? AND language = ?",
                (waba_id, name, language),
            ).fetchone()
        )
        if row is None:
            return None
        return TemplateInfo(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            tuple(json.loads(row[5])),
            row[6],
            row[7],
            row[8],
        )

    async def save_templates(self, waba_id: str, templates: list[TemplateInfo], now: float) -> None:
        def run(c: sqlite3.Connection) -> None:
            c.executemany(
                "INSERT INTO templates (waba_id, name, language, category, status, body_params, "
                "url_button_params, ttl_seconds, fetched_at, bid_amount) "
                "VALUES (?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(waba_id, name, language) DO UPDATE SET category=excluded.category, "
                "status=excluded.status, body_params=excluded.body_params, "
                "url_button_params=excluded.url_button_params, ttl_seconds=excluded.ttl_seconds, "
                "fetched_at=excluded.fetched_at, bid_amount=excluded.bid_amount",
                [
                    (
                        waba_id,
                        t.name,
                        t.language,
                        t.category,
                        t.status,
                        t.body_params,
                        json.dumps(list(t.url_button_params)),
                        t.ttl_seconds,
                        now,
                        t.bid_amount,
                    )
                    for t in templates
                ],
            )

        await self.engine.write(run)

    # -- keys: rotation with an overlap, revocation --------------------------------------

    async def partner_for_key_at(self, key_hash: str, now: float) -> Partner | None:
        return await self.engine.read(
            lambda c: partner_from_row(
                c.execute(
                    f"{PARTNER_SELECT} WHERE key_hash = :h "
                    "OR (previous_key_hash = :h AND previous_key_until > :now)",
                    {"h": key_hash, "now": now},
                ).fetchone()
            )
        )

    async def rotate_partner_key(
        self, partner_id: str, new_key_hash: str, previous_until: float
    ) -> None:
        await self.engine.write(
            lambda c: c.execute(
                "UPDATE partners SET previous_key_hash = key_hash, previous_key_until = ?, "
                "key_hash = ? WHERE id = ?",
                (previous_until, new_key_hash, partner_id),
            )
        )

    async def channel_keys(self, partner_id: str, channel_id: str) -> list[ApiKeyRecord] | None:
        def run(c: sqlite3.Connection) -> list[ApiKeyRecord] | None:
            if not _partner_channel(c, partner_id, channel_id):
                return None
            rows = c.execute(
                "SELECT key_hash, channel_id, label, hint, created_at, revoked_at, expires_at "
                "FROM api_keys WHERE channel_id = ? ORDER BY created_at, rowid",
                (channel_id,),
            ).fetchall()
            return [ApiKeyRecord(*row) for row in rows]

        return await self.engine.read(run)

    async def rotate_channel_key(
        self, partner_id: str, channel_id: str, new_key: ApiKeyRecord, previous_until: float
    ) -> bool:
        def run(c: sqlite3.Connection) -> bool:
            if not _partner_channel(c, partner_id, channel_id):
                return False
            c.execute(
                "UPDATE api_keys SET expires_at = MIN(COALESCE(expires_at, :until), :until) "
                "WHERE channel_id = :channel_id AND revoked_at IS NULL",
                {"until": previous_until, "channel_id": channel_id},
            )
            c.execute(
                "INSERT INTO api_keys (key_hash, channel_id, created_at, label, hint) "
                "VALUES (?,?,?,?,?)",
                (new_key.key_hash, channel_id, new_key.created_at, new_key.label, new_key.hint),
            )
            return True

        return await self.engine.write(run)

    async def revoke_channel_key(
        self, partner_id: str, channel_id: str, key_hash: str, now: float
    ) -> bool:
        def run(c: sqlite3.Connection) -> bool:
            if not _partner_channel(c, partner_id, channel_id):
                return False
            cur = c.execute(
                "UPDATE api_keys SET revoked_at = ? "
                "WHERE key_hash = ? AND channel_id = ? AND revoked_at IS NULL",
                (now, key_hash, channel_id),
            )
            return cur.rowcount > 0

        return await self.engine.write(run)


def _partner_channel(c: sqlite3.Connection, partner_id: str, channel_id: str) -> bool:
    row = c.execute(
        "SELECT 1 FROM channels ch JOIN wabas w ON w.id = ch.waba_id "
        "JOIN clients cl ON cl.business_id = w.business_id WHERE ch.id = ? AND cl.partner_id = ?",
        (channel_id, partner_id),
    ).fetchone()
    return row is not None
