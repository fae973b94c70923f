"""The Partner Hub's queries on PostgreSQL: its users and session secret, and read models
(message log, timeline, funnel, clicks, API keys). Every query is scoped to partner $1.

`rowid` is SQLite's implicit row id, spelled out (migration 0010) where the Hub lists
rows in insertion order. Text sorts COLLATE "C" and NULLs first, as SQLite sorts.
"""

from __future__ import annotations

# Until the click-id parsing moves out of the SQLite backend, both backends share it.
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
from mmgate.storage.postgres.delivery_log import DELIVERY_SELECT, PARTNER_JOBS
from mmgate.storage.postgres.engine import Connection, Database

_PARTNER_CHANNELS = """(SELECT c.id FROM channels c JOIN wabas w ON w.id = c.waba_id
  JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = $1)"""

_SUMMARY_COLUMNS = """m.wamid, m.channel_id, c.display_phone_number, m.recipient,
  m.entry_point, m.template_name, m.category, m.route_requested, m.route_taken, m.status, m.error,
  m.created_at, m.updated_at"""
_SUMMARY_WIDTH = 13
_MESSAGES = " FROM messages m JOIN channels c ON c.id = m.channel_id "

_USER_SELECT = "SELECT id, partner_id, email, password_hash, session_generation FROM hub_users "

# The e-mail column's collation (nocase) makes the conflict and every look-up ignore case.
_SAVE_USER = """
INSERT INTO hub_users (partner_id, email, password_hash, created_at)
SELECT $1::text, $2::text, $3::text, $4::double precision
WHERE EXISTS (SELECT 1 FROM partners WHERE id = $1)
ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash,
    session_generation = hub_users.session_generation + 1
WHERE hub_users.partner_id = excluded.partner_id
RETURNING id
"""

_MESSAGE_LOG = f"""
SELECT {_SUMMARY_COLUMNS} {_MESSAGES}
WHERE m.channel_id IN {_PARTNER_CHANNELS}
  AND ($2::text IS NULL OR m.status = $2)
  AND ($3::text IS NULL OR m.route_requested = $3)
  AND ($4::text IS NULL OR m.route_taken = $4 OR ($4 = 'unknown' AND m.route_taken IS NULL))
  AND ($5::text IS NULL OR m.template_name = $5)
  AND ($6::text IS NULL OR m.channel_id = $6)
  AND ($7::double precision IS NULL OR m.created_at >= $7)
  AND ($8::double precision IS NULL OR m.created_at < $8)
ORDER BY m.created_at DESC, m.rowid DESC
LIMIT $9 OFFSET $10
"""

_TEMPLATE_NAMES = f"""
SELECT name FROM (
    SELECT t.name FROM templates t JOIN wabas w ON w.id = t.waba_id
    JOIN clients cl ON cl.business_id = w.business_id WHERE cl.partner_id = $1
    UNION
    SELECT m.template_name FROM messages m
    WHERE m.channel_id IN {_PARTNER_CHANNELS} AND m.template_name IS NOT NULL
) names
ORDER BY name COLLATE "C"
"""

_UTC_DAY = "to_char(to_timestamp({}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"

# A message counts as sent once Meta reported it sent or anything later, in any order.
_REACHED = "EXISTS (SELECT 1 FROM message_events e WHERE e.wamid = m.wamid AND e.status IN ({}))"

_FUNNEL = f"""
SELECT {_UTC_DAY.format("m.created_at")}, m.template_name,
    COALESCE(m.route_taken, m.route_requested), count(*),
    count(*) FILTER (WHERE {_REACHED.format("'sent', 'delivered', 'read'")}),
    count(*) FILTER (WHERE {_REACHED.format("'delivered', 'read'")}),
    count(*) FILTER (WHERE {_REACHED.format("'read'")}),
    count(*) FILTER (WHERE m.status = 'failed'),
    count(*) FILTER (WHERE m.status = 'expired')
FROM messages m
WHERE m.channel_id IN {_PARTNER_CHANNELS} AND m.created_at >= $2 AND m.created_at < $3
GROUP BY 1, 2, 3
ORDER BY 1, m.template_name COLLATE "C" NULLS FIRST,
    COALESCE(m.route_taken, m.route_requested) COLLATE "C"
"""

# Click events are the relayed channel webhooks without an ordering key that carry
# `user_actions`; the gateway keeps no other record of them.
_CLICK_EVENTS = f"""
SELECT {_UTC_DAY.format("j.created_at")}, j.ref, j.payload FROM jobs j
WHERE j.kind = 'client_webhook' AND j.ordering_key IS NULL
  AND j.ref IN {_PARTNER_CHANNELS} AND j.created_at >= $2 AND j.created_at < $3
  AND position('user_actions'::bytea IN j.payload) > 0
ORDER BY j.id
"""

_CREATE_KEY = f"""
INSERT INTO api_keys (key_hash, channel_id, created_at, label, hint)
SELECT $3::text, $2::text, $6::double precision, $5::text, $4::text
WHERE $2 IN {_PARTNER_CHANNELS}
RETURNING key_hash
"""

_REVOKE_KEY = f"""
UPDATE api_keys SET revoked_at = $3
WHERE key_hash = $2 AND revoked_at IS NULL AND channel_id IN {_PARTNER_CHANNELS}
RETURNING channel_id
"""


class Hub:
    db: Database

    # -- users and sessions --------------------------------------------------------

    async def hub_session_secret(self, candidate: str) -> str:
        async def run(c: Connection) -> str:
            await c.execute(
                "INSERT INTO hub_secret (id, session_secret) VALUES (1, $1) "
                "ON CONFLICT (id) DO NOTHING",
                candidate,
            )
            # A statement of its own: it sees a secret another process just stored.
            return str(await c.fetchval("SELECT session_secret FROM hub_secret"))

        return await self.db.write(run)

    async def hub_save_user(
        self, partner_id: str, email: str, password_hash: str, now: float
    ) -> bool:
        """Creates the user, or sets a new password (ending its sessions); never moves a
        user to another partner."""
        saved = await self.db.write(
            lambda c: c.fetchval(_SAVE_USER, partner_id, email, password_hash, now)
        )
        return saved is not None

    async def hub_user_by_email(self, email: str) -> HubUser | None:
        row = await self.db.read(lambda c: c.fetchrow(_USER_SELECT + "WHERE email = $1", email))
        return None if row is None else HubUser(*row)

    async def hub_user(self, user_id: int) -> HubUser | None:
        row = await self.db.read(lambda c: c.fetchrow(_USER_SELECT + "WHERE id = $1", user_id))
        return None if row is None else HubUser(*row)

    async def hub_end_sessions(self, user_id: int) -> None:
        await self.db.write(
            lambda c: c.execute(
                "UPDATE hub_users SET session_generation = session_generation + 1 WHERE id = $1",
                user_id,
            )
        )

    # -- the message log -----------------------------------------------------------

    async def hub_messages(
        self, partner_id: str, filters: MessageFilter, *, offset: int = 0, limit: int = 50
    ) -> list[MessageSummary]:
        f = filters
        rows = await self.db.read(
            lambda c: c.fetch(
                _MESSAGE_LOG,
                *(partner_id, f.status, f.route_requested, f.route_taken, f.template_name),
                *(f.channel_id, f.since, f.until, limit, offset),
            )
        )
        return [MessageSummary(*r) for r in rows]

    async def hub_message(self, partner_id: str, wamid: str) -> MessageDetail | None:
        async def run(c: Connection) -> MessageDetail | None:
            row = await c.fetchrow(
                f"SELECT {_SUMMARY_COLUMNS}, m.template_language, m.upstream_endpoint, "
                f"m.meta_wamid, m.ttl_seconds, m.expires_at, m.payload {_MESSAGES}"
                f"WHERE m.wamid = $2 AND m.channel_id IN {_PARTNER_CHANNELS}",
                partner_id,
                wamid,
            )
            if row is None:
                return None
            events = [
                MessageEvent(*e)
                for e in await c.fetch(
                    "SELECT status, at, detail FROM message_events WHERE wamid = $1 ORDER BY id",
                    wamid,
                )
            ]
            values = tuple(row)
            summary = MessageSummary(*values[:_SUMMARY_WIDTH])
            language, endpoint, meta_wamid, ttl, expires_at, payload = values[_SUMMARY_WIDTH:]
            return MessageDetail(
                summary, language, endpoint, meta_wamid, ttl, expires_at, payload, events
            )

        return await self.db.read(run)

    async def hub_message_deliveries(self, partner_id: str, wamid: str) -> list[WebhookDelivery]:
        rows = await self.db.read(
            lambda c: c.fetch(
                f"{DELIVERY_SELECT} WHERE j.kind = 'client_webhook' AND (j.ordering_key = $2 OR "
                # Unordered (chaos mode) statuses have no ordering key: found by their body.
                " (j.ordering_key IS NULL AND position(convert_to($2, 'UTF8') IN j.payload) > 0)) "
                f"AND {PARTNER_JOBS} ORDER BY j.id",
                partner_id,
                wamid,
            )
        )
        return [WebhookDelivery(*r) for r in rows]

    async def hub_template_names(self, partner_id: str) -> list[str]:
        rows = await self.db.read(lambda c: c.fetch(_TEMPLATE_NAMES, partner_id))
        return [str(r[0]) for r in rows]

    # -- analytics -----------------------------------------------------------------

    async def hub_funnel(self, partner_id: str, since: float, until: float) -> list[FunnelRow]:
        rows = await self.db.read(lambda c: c.fetch(_FUNNEL, partner_id, since, until))
        return [FunnelRow(*r) for r in rows]

    async def hub_clicks(self, partner_id: str, since: float, until: float) -> list[ClickCount]:
        """A click id is counted once, on the first event that carries it (replays too)."""
        rows = await self.db.read(lambda c: c.fetch(_CLICK_EVENTS, partner_id, since, until))
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
        rows = await self.db.read(
            lambda c: c.fetch(
                "SELECT key_hash, channel_id, label, hint, created_at, revoked_at, expires_at "
                "FROM api_keys "
                f"WHERE channel_id IN {_PARTNER_CHANNELS} ORDER BY created_at, rowid",
                partner_id,
            )
        )
        return [ApiKeyRecord(*r) for r in rows]

    async def hub_create_api_key(
        self, partner_id: str, channel_id: str, key_hash: str, hint: str, label: str, now: float
    ) -> bool:
        created = await self.db.write(
            lambda c: c.fetchval(_CREATE_KEY, partner_id, channel_id, key_hash, hint, label, now)
        )
        return created is not None

    async def hub_revoke_api_key(self, partner_id: str, key_hash: str, now: float) -> str | None:
        """Revoke a key of one of the partner's channels; the channel id, or None."""
        channel_id = await self.db.write(
            lambda c: c.fetchval(_REVOKE_KEY, partner_id, key_hash, now)
        )
        return None if channel_id is None else str(channel_id)
