"""The Partner Hub's queries on SQLite: its users and session secret, and read models
(message log, timeline, funnel, clicks, API keys). Every query is scoped to one partner."""

from __future__ import annotations

import sqlite3
from typing import Any

from mmgate.domain.clicks import click_ids
from mmgate.storage.port import (
    ApiKeyRecord,
    ClickCount,
    FunnelRow,
    HubUser,
    MessageDetail,
    MessageEvent,
    MessageFilter,
    MessageSummary,
    WebhookDelivery,
)
from mmgate.storage.sqlite.engine import Engine
from mmgate.storage.sqlite.rows import PARTNER_JOBS

PARTNER_CHANNELS = """(SELECT c.id FROM channels c JOIN wabas w ON w.id = c.waba_id
  JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = :partner_id)"""

_SUMMARY_COLUMNS = """m.wamid, m.channel_id, c.display_phone_number, m.recipient,
  m.entry_point, m.template_name, m.category, m.route_requested, m.route_taken, m.status, m.error,
  m.created_at, m.updated_at"""
_MESSAGES = " FROM messages m JOIN channels c ON c.id = m.channel_id "
_MESSAGE_SELECT = "SELECT " + _SUMMARY_COLUMNS + _MESSAGES
_DETAIL_SELECT = (
    "SELECT " + _SUMMARY_COLUMNS + ", m.template_language, m.upstream_endpoint, m.meta_wamid, "
    "m.ttl_seconds, m.expires_at, m.payload" + _MESSAGES
)
SUMMARY_WIDTH = 13

_USER_SELECT = (
    "SELECT id, partner_id, email, password_hash, session_generation FROM hub_users WHERE "
)

# A message counts as sent once Meta reported it sent or anything later, in any order.
_REACHED = "EXISTS (SELECT 1 FROM message_events e WHERE e.wamid = m.wamid AND e.status IN ({}))"


class HubQueries:
    engine: Engine

    # -- users and sessions --------------------------------------------------------

    async def hub_session_secret(self, candidate: str) -> str:
        def run(c: sqlite3.Connection) -> str:
            c.execute("INSERT OR IGNORE INTO hub_secret VALUES (1, ?)", (candidate,))
            return str(c.execute("SELECT session_secret FROM hub_secret").fetchone()[0])

        return await self.engine.write(run)

    async def hub_save_user(
        self, partner_id: str, email: str, password_hash: str, now: float
    ) -> bool:
        """Creates the user, or sets a new password (ending its sessions); never moves a
        user to another partner."""

        def run(c: sqlite3.Connection) -> bool:
            cur = c.execute(
                "INSERT INTO hub_users (partner_id, email, password_hash, created_at) "
                "SELECT :partner_id, :email, :hash, :now WHERE EXISTS "
                "(SELECT 1 FROM partners WHERE id = :partner_id) "
                "ON CONFLICT(email) DO UPDATE SET password_hash = excluded.password_hash, "
                "session_generation = session_generation + 1 "
                "WHERE hub_users.partner_id = excluded.partner_id",
                {"partner_id": partner_id, "email": email, "hash": password_hash, "now": now},
            )
            return cur.rowcount > 0

        return await self.engine.write(run)

    async def hub_user_by_email(self, email: str) -> HubUser | None:
        row = await self.engine.read(
            lambda c: c.execute(_USER_SELECT + "email = ?", (email,)).fetchone()
        )
        return None if row is None else HubUser(*row)

    async def hub_user(self, user_id: int) -> HubUser | None:
        row = await self.engine.read(
            lambda c: c.execute(_USER_SELECT + "id = ?", (user_id,)).fetchone()
        )
        return None if row is None else HubUser(*row)

    async def hub_end_sessions(self, user_id: int) -> None:
        await self.engine.write(
            lambda c: c.execute(
                "UPDATE hub_users SET session_generation = session_generation + 1 WHERE id = ?",
                (user_id,),
            )
        )

    # -- the message log -----------------------------------------------------------

    async def hub_messages(
        self, partner_id: str, filters: MessageFilter, *, offset: int = 0, limit: int = 50
    ) -> list[MessageSummary]:
        f = filters
        params: dict[str, Any] = {
            "partner_id": partner_id,
            "status": f.status,
            "route_requested": f.route_requested,
            "route_taken": f.route_taken,
            "template": f.template_name,
            "channel_id": f.channel_id,
            "since": f.since,
            "until": f.until,
            "limit": limit,
            "offset": offset,
        }
        sql = (
            _MESSAGE_SELECT + f"WHERE m.channel_id IN {PARTNER_CHANNELS} "
            "AND (:status IS NULL OR m.status = :status) "
            "AND (:route_requested IS NULL OR m.route_requested = :route_requested) "
            "AND (:route_taken IS NULL OR m.route_taken = :route_taken "
            "     OR (:route_taken = 'unknown' AND m.route_taken IS NULL)) "
            "AND (:template IS NULL OR m.template_name = :template) "
            "AND (:channel_id IS NULL OR m.channel_id = :channel_id) "
            "AND (:since IS NULL OR m.created_at >= :since) "
            "AND (:until IS NULL OR m.created_at < :until) "
            "ORDER BY m.created_at DESC, m.rowid DESC LIMIT :limit OFFSET :offset"
        )
        rows = await self.engine.read(lambda c: c.execute(sql, params).fetchall())
        return [MessageSummary(*r) for r in rows]

    async def hub_message(self, partner_id: str, wamid: str) -> MessageDetail | None:
        def run(c: sqlite3.Connection) -> MessageDetail | None:
            row = c.execute(
                _DETAIL_SELECT + f"WHERE m.wamid = :wamid AND m.channel_id IN {PARTNER_CHANNELS}",
                {"wamid": wamid, "partner_id": partner_id},
            ).fetchone()
            if row is None:
                return None
            events = [
                MessageEvent(*e)
                for e in c.execute(
                    "SELECT status, at, detail FROM message_events WHERE wamid = ? ORDER BY id",
                    (wamid,),
                )
            ]
            language, endpoint, meta_wamid, ttl, expires_at, payload = row[SUMMARY_WIDTH:]
            summary = MessageSummary(*row[:SUMMARY_WIDTH])
            return MessageDetail(
                summary, language, endpoint, meta_wamid, ttl, expires_at, payload, events
            )

        return await self.engine.read(run)

    async def hub_message_deliveries(self, partner_id: str, wamid: str) -> list[WebhookDelivery]:
        rows = await self.engine.read(
            lambda c: c.execute(
                "SELECT j.id, j.kind, j.ref, j.ordering_key, j.state, j.attempts, j.run_at, "
                "j.created_at, j.last_error, j.payload FROM jobs j "
                "WHERE j.kind = 'client_webhook' AND (j.ordering_key = :wamid OR "
                # Unordered (chaos mode) statuses have no ordering key: found by their body.
                " (j.ordering_key IS NULL AND instr(CAST(j.payload AS TEXT), :wamid) > 0)) "
                f"AND {PARTNER_JOBS} "
                "ORDER BY j.id",
                {"wamid": wamid, "partner_id": partner_id},
            ).fetchall()
        )
        return [WebhookDelivery(*r) for r in rows]

    async def hub_template_names(self, partner_id: str) -> list[str]:
        rows = await self.engine.read(
            lambda c: c.execute(
                "SELECT DISTINCT t.name FROM templates t JOIN wabas w ON w.id = t.waba_id "
                "JOIN clients cl ON cl.business_id = w.business_id "
                "WHERE cl.partner_id = :partner_id UNION SELECT DISTINCT m.template_name "
                f"FROM messages m WHERE m.channel_id IN {PARTNER_CHANNELS} "
                "AND m.template_name IS NOT NULL ORDER BY 1",
                {"partner_id": partner_id},
            ).fetchall()
        )
        return [str(r[0]) for r in rows]

    # -- analytics -----------------------------------------------------------------

    async def hub_funnel(self, partner_id: str, since: float, until: float) -> list[FunnelRow]:
        sent = _REACHED.format("'sent', 'delivered', 'read'")
        delivered = _REACHED.format("'delivered', 'read'")
        read = _REACHED.format("'read'")
        sql = (
            "SELECT date(m.created_at, 'unixepoch'), m.template_name, "
            "COALESCE(m.route_taken, m.route_requested), COUNT(*), "
            f"SUM({sent}), SUM({delivered}), SUM({read}), "
            "SUM(m.status = 'failed'), SUM(m.status = 'expired') FROM messages m "
            f"WHERE m.channel_id IN {PARTNER_CHANNELS} "
            "AND m.created_at >= :since AND m.created_at < :until GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        )
        params = {"partner_id": partner_id, "since": since, "until": until}
        rows = await self.engine.read(lambda c: c.execute(sql, params).fetchall())
        return [FunnelRow(*r) for r in rows]

    async def hub_clicks(self, partner_id: str, since: float, until: float) -> list[ClickCount]:
        """Counted from the click events relayed to the partner's channels (the gateway
        keeps no other record of them); a click id is counted once, replays included."""
        rows = await self.engine.read(
            lambda c: c.execute(
                "SELECT date(j.created_at, 'unixepoch'), j.ref, j.payload FROM jobs j "
                "WHERE j.kind = 'client_webhook' AND j.ordering_key IS NULL "
                f"AND j.ref IN {PARTNER_CHANNELS} "
                "AND j.created_at >= :since AND j.created_at < :until "
                "AND instr(CAST(j.payload AS TEXT), 'user_actions') > 0 ORDER BY j.id",
                {"partner_id": partner_id, "since": since, "until": until},
            ).fetchall()
        )
        counts: dict[tuple[str, str], int] = {}
        seen: set[str] = set()
        for day, channel_id, payload in rows:
            for click_id in click_ids(payload):
                if click_id is not None and click_id in seen:
                    continue
                if click_id is not None:
                    seen.add(click_id)
                counts[(day, channel_id)] = counts.get((day, channel_id), 0) + 1
        return [ClickCount(day, ch, n) for (day, ch), n in sorted(counts.items())]

    # -- API keys ------------------------------------------------------------------

    async def hub_api_keys(self, partner_id: str) -> list[ApiKeyRecord]:
        rows = await self.engine.read(
            lambda c: c.execute(
                "SELECT key_hash, channel_id, label, hint, created_at, revoked_at, expires_at "
                "FROM api_keys "
                f"WHERE channel_id IN {PARTNER_CHANNELS} ORDER BY created_at, rowid",
                {"partner_id": partner_id},
            ).fetchall()
        )
        return [ApiKeyRecord(*r) for r in rows]

    async def hub_create_api_key(
        self, partner_id: str, channel_id: str, key_hash: str, hint: str, label: str, now: float
    ) -> bool:
        params = {
            "partner_id": partner_id,
            "channel_id": channel_id,
            "key_hash": key_hash,
            "hint": hint,
            "label": label,
            "now": now,
        }

        def run(c: sqlite3.Connection) -> bool:
            cur = c.execute(
                "INSERT INTO api_keys (key_hash, channel_id, created_at, label, hint) "
                "SELECT :key_hash, :channel_id, :now, :label, :hint "
                f"WHERE :channel_id IN {PARTNER_CHANNELS}",
                params,
            )
            return cur.rowcount > 0

        return await self.engine.write(run)

    async def hub_revoke_api_key(self, partner_id: str, key_hash: str, now: float) -> str | None:
        def run(c: sqlite3.Connection) -> str | None:
            row = c.execute(
                "UPDATE api_keys SET revoked_at = :now WHERE key_hash = :key_hash "
                f"AND revoked_at IS NULL AND channel_id IN {PARTNER_CHANNELS} "
                "RETURNING channel_id",
                {"partner_id": partner_id, "key_hash": key_hash, "now": now},
            ).fetchone()
            return None if row is None else str(row[0])

        return await self.engine.write(run)
