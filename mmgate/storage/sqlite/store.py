"""The `Store` port on SQLite."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from mmgate.domain import lifecycle
from mmgate.domain.templates import TemplateInfo
from mmgate.storage.migrate import migration_files
from mmgate.storage.port import (
    CLIENT_WEBHOOK,
    LEASE_EXPIRED,
    PARTNER_WEBHOOK,
    UNSET,
    UPSTREAM_SEND,
    AcceptOutcome,
    Channel,
    ClientRecord,
    IdempotencyClaim,
    Job,
    MessageRecord,
    NewMessage,
    Partner,
    StatusUpdate,
    Unset,
    UpstreamCredentials,
    WabaRecord,
    WebhookAttempt,
)
from mmgate.storage.sqlite.engine import Engine

__all__ = ["CLIENT_WEBHOOK", "PARTNER_WEBHOOK", "UPSTREAM_SEND", "SqliteStore"]

_CHANNEL_SELECT = """
SELECT c.id, cl.partner_id, w.business_id, c.waba_id, c.phone_number_id,
       c.display_phone_number, c.webhook_url, c.webhook_headers
FROM channels c JOIN wabas w ON w.id = c.waba_id JOIN clients cl ON cl.business_id = w.business_id
"""


def _channel(row: sqlite3.Row | None) -> Channel | None:
    if row is None:
        return None
    return Channel(
        id=row[0],
        partner_id=row[1],
        business_id=row[2],
        waba_id=row[3],
        phone_number_id=row[4],
        display_phone_number=row[5],
        webhook_url=row[6],
        webhook_headers=json.loads(row[7]),
    )


class SqliteStore:
    def __init__(self, path: Path, *, synchronous: str = "FULL") -> None:
        self.engine = Engine(path, synchronous=synchronous)

    async def start(self) -> None:
        self._migrate()
        self.engine.start()

    async def close(self) -> None:
        await self.engine.close()

    def _migrate(self) -> None:
        self.engine.run_script(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY)"
        )
        conn = sqlite3.connect(self.engine.path)
        try:
            done = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
        finally:
            conn.close()
        for version, sql in migration_files("sqlite"):
            if version not in done:
                script = (
                    f"BEGIN;\n{sql}\nINSERT INTO schema_migrations VALUES ('{version}');\nCOMMIT;"
                )
                self.engine.run_script(script)

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
        return await self.engine.read(
            lambda c: _channel(
                c.execute(
                    _CHANNEL_SELECT + " JOIN api_keys k ON k.channel_id = c.id "
                    "WHERE k.key_hash = ? AND k.revoked_at IS NULL",
                    (key_hash,),
                ).fetchone()
            )
        )

    async def channel_by_id(self, channel_id: str) -> Channel | None:
        return await self.engine.read(
            lambda c: _channel(
                c.execute(_CHANNEL_SELECT + " WHERE c.id = ?", (channel_id,)).fetchone()
            )
        )

    async def partner(self, partner_id: str) -> Partner | None:
        return await self._partner_where("id = ?", partner_id)

    async def partner_for_key(self, key_hash: str) -> Partner | None:
        return await self._partner_where("key_hash = ?", key_hash)

    async def partner_for_onboarding_token(self, token: str) -> Partner | None:
        return await self._partner_where("onboarding_token = ?", token)

    async def _partner_where(self, condition: str, value: str) -> Partner | None:
        row = await self.engine.read(
            lambda c: c.execute(
                "SELECT id, name, webhook_url, webhook_secret, marketing_routing, "
                f"onboarding_token FROM partners WHERE {condition}",
                (value,),
            ).fetchone()
        )
        if row is None:
            return None
        return Partner(row[0], row[1], row[2], row[3], bool(row[4]), row[5])

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
                _CHANNEL_SELECT + " WHERE cl.partner_id = ? ORDER BY c.id", (partner_id,)
            ).fetchall()
            return [ch for ch in map(_channel, rows) if ch is not None]

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
            lambda c: _channel(
                c.execute(
                    _CHANNEL_SELECT + " WHERE c.phone_number_id = ?", (phone_number_id,)
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
        self, channel_id: str, url: str | None, headers: dict[str, str]
    ) -> None:
        await self.engine.write(
            lambda c: c.execute(
                "UPDATE channels SET webhook_url = ?, webhook_headers = ? WHERE id = ?",
                (url, json.dumps(headers), channel_id),
            )
        )

    async def template(self, waba_id: str, name: str, language: str) -> TemplateInfo | None:
        row = await self.engine.read(
            lambda c: c.execute(
                "SELECT name, language, category, status, body_params, url_button_params, "
                "ttl_seconds, sync_until FROM templates "
                "WHERE waba_id = ? AND name = ? AND language = ?",
                (waba_id, name, language),
            ).fetchone()
        )
        if row is None:
            return None
        return TemplateInfo(
            row[0], row[1], row[2], row[3], row[4], tuple(json.loads(row[5])), row[6], row[7]
        )

    async def save_templates(self, waba_id: str, templates: list[TemplateInfo], now: float) -> None:
        def run(c: sqlite3.Connection) -> None:
            c.executemany(
                "INSERT INTO templates (waba_id, name, language, category, status, body_params, "
                "url_button_params, ttl_seconds, fetched_at) VALUES (?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(waba_id, name, language) DO UPDATE SET category=excluded.category, "
                "status=excluded.status, body_params=excluded.body_params, "
                "url_button_params=excluded.url_button_params, ttl_seconds=excluded.ttl_seconds, "
                "fetched_at=excluded.fetched_at",
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
                    )
                    for t in templates
                ],
            )

        await self.engine.write(run)

    # -- the send path -----------------------------------------------------------------

    async def accept(
        self, message: NewMessage, response: bytes, idempotency: IdempotencyClaim | None
    ) -> AcceptOutcome:
        m = message

        def run(c: sqlite3.Connection) -> AcceptOutcome:
            if idempotency is not None:
                row = c.execute(
                    "SELECT request_hash, response FROM idempotency_keys "
                    "WHERE channel_id = ? AND key = ?",
                    (m.channel_id, idempotency.key),
                ).fetchone()
                if row is not None:
                    same = row[0] == idempotency.request_hash
                    return AcceptOutcome(row[1], replayed=True, conflict=not same)
                c.execute(
                    "INSERT INTO idempotency_keys VALUES (?,?,?,?,?)",
                    (
                        m.channel_id,
                        idempotency.key,
                        idempotency.request_hash,
                        response,
                        m.created_at,
                    ),
                )
            c.execute(
                "INSERT INTO messages (wamid, channel_id, recipient, entry_point, type, "
                "template_name, template_language, category, route_requested, upstream_endpoint, "
                "status, status_rank, ttl_seconds, expires_at, payload, created_at, updated_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    m.wamid,
                    m.channel_id,
                    m.recipient,
                    m.entry_point,
                    m.type,
                    m.template_name,
                    m.template_language,
                    m.category,
                    m.route_requested,
                    m.upstream_endpoint,
                    lifecycle.ACCEPTED,
                    lifecycle.rank(lifecycle.ACCEPTED),
                    m.ttl_seconds,
                    m.expires_at,
                    m.payload,
                    m.created_at,
                    m.created_at,
                ),
            )
            c.execute(
                "INSERT INTO jobs (kind, ref, run_at, payload, created_at) VALUES (?,?,?,?,?)",
                (UPSTREAM_SEND, m.wamid, m.created_at, m.upstream, m.created_at),
            )
            return AcceptOutcome(response, replayed=False)

        return await self.engine.write(run)

    async def message(self, channel_id: str, wamid: str) -> MessageRecord | None:
        def run(c: sqlite3.Connection) -> MessageRecord | None:
            row = c.execute(
                "SELECT wamid, channel_id, recipient, entry_point, type, template_name, category, "
                "route_requested, route_taken, status, meta_wamid, ttl_seconds, expires_at, error, "
                "created_at FROM messages WHERE wamid = ? AND channel_id = ?",
                (wamid, channel_id),
            ).fetchone()
            if row is None:
                return None
            events = [
                (e[0], e[1], e[2])
                for e in c.execute(
                    "SELECT status, at, detail FROM message_events WHERE wamid = ? ORDER BY id",
                    (wamid,),
                )
            ]
            fields = dict(zip(row.keys(), tuple(row), strict=True))
            return MessageRecord(**fields, events=events)

        return await self.engine.read(run)

    # -- the outbox ----------------------------------------------------------------------

    async def claim(self, kind: str, now: float, lease_until: float, limit: int) -> list[Job]:
        def run(c: sqlite3.Connection) -> list[Job]:
            rows = c.execute(
                "UPDATE jobs SET last_error = CASE WHEN lease_until IS NOT NULL THEN ? "
                "ELSE last_error END, lease_until = ?, attempts = attempts + 1 WHERE id IN ("
                " SELECT j.id FROM jobs j WHERE j.kind = ? AND j.state = 'pending'"
                " AND j.run_at <= ? AND (j.lease_until IS NULL OR j.lease_until < ?)"
                " AND (j.ordering_key IS NULL OR NOT EXISTS (SELECT 1 FROM jobs p"
                "  WHERE p.ordering_key = j.ordering_key AND p.state = 'pending' AND p.id < j.id))"
                " ORDER BY j.run_at LIMIT ?) "
                "RETURNING id, kind, ref, ordering_key, payload, attempts, created_at, last_error",
                (LEASE_EXPIRED, lease_until, kind, now, now, limit),
            ).fetchall()
            return [Job(*r) for r in rows]

        return await self.engine.write(run)

    async def due(self, kind: str, now: float) -> bool:
        return await self.engine.read(
            lambda c: (
                c.execute(
                    "SELECT EXISTS (SELECT 1 FROM jobs WHERE kind = ? AND state = 'pending' "
                    "AND run_at <= ?)",
                    (kind, now),
                ).fetchone()[0]
                == 1
            )
        )

    async def upstream_accepted(self, job: Job, meta_wamid: str, now: float) -> None:
        def run(c: sqlite3.Connection) -> None:
            c.execute("DELETE FROM jobs WHERE id = ?", (job.id,))
            c.execute(
                "UPDATE messages SET meta_wamid = ?, updated_at = ?, status = CASE WHEN "
                "status_rank < ? THEN ? ELSE status END, status_rank = MAX(status_rank, ?) "
                "WHERE wamid = ?",
                (
                    meta_wamid,
                    now,
                    lifecycle.rank(lifecycle.SENT_UPSTREAM),
                    lifecycle.SENT_UPSTREAM,
                    lifecycle.rank(lifecycle.SENT_UPSTREAM),
                    job.ref,
                ),
            )
            c.execute(
                "INSERT INTO message_events (wamid, status, at, detail) VALUES (?,?,?,?)",
                (job.ref, lifecycle.SENT_UPSTREAM, now, meta_wamid),
            )

        await self.engine.write(run)

    async def upstream_retry(self, job: Job, run_at: float, error: str) -> None:
        await self.engine.write(
            lambda c: c.execute(
                "UPDATE jobs SET run_at = ?, lease_until = NULL, last_error = ? WHERE id = ?",
                (run_at, error, job.id),
            )
        )

    async def upstream_settled(
        self, job: Job, status: str, error: str | None, relay_body: bytes | None, now: float
    ) -> None:
        def run(c: sqlite3.Connection) -> None:
            c.execute("DELETE FROM jobs WHERE id = ?", (job.id,))
            c.execute(
                "UPDATE messages SET status = ?, status_rank = ?, error = ?, updated_at = ? "
                "WHERE wamid = ?",
                (status, lifecycle.rank(status), error, now, job.ref),
            )
            c.execute(
                "INSERT INTO message_events (wamid, status, at, detail) VALUES (?,?,?,?)",
                (job.ref, status, now, error),
            )
            if relay_body is not None:
                _enqueue_relay(c, job.ref, relay_body, now)

        await self.engine.write(run)

    async def record_statuses(self, updates: list[StatusUpdate], now: float) -> int:
        def run(c: sqlite3.Connection) -> int:
            known = 0
            for u in updates:
                cur = c.execute(
                    "UPDATE messages SET updated_at = ?, "
                    "status = CASE WHEN status_rank < ? THEN ? ELSE status END, "
                    "status_rank = MAX(status_rank, ?), route_taken = COALESCE(route_taken, ?), "
                    "error = COALESCE(?, error) WHERE wamid = ?",
                    (
                        now,
                        lifecycle.rank(u.status),
                        u.status,
                        lifecycle.rank(u.status),
                        u.route_taken,
                        u.error,
                        u.wamid,
                    ),
                )
                if cur.rowcount == 0:
                    continue
                known += 1
                c.execute(
                    "INSERT INTO message_events (wamid, status, at, detail) VALUES (?,?,?,?)",
                    (u.wamid, u.status, u.at, u.error),
                )
                _enqueue_relay(c, u.wamid, u.relay_body, now)
            return known

        return await self.engine.write(run)

    async def wamid_for_meta(self, meta_wamid: str) -> str | None:
        row = await self.engine.read(
            lambda c: c.execute(
                "SELECT wamid FROM messages WHERE meta_wamid = ?", (meta_wamid,)
            ).fetchone()
        )
        return None if row is None else str(row[0])

    async def webhook_attempted(
        self, job: Job, attempt: WebhookAttempt, *, done: bool, retry_at: float | None
    ) -> None:
        a = attempt

        def run(c: sqlite3.Connection) -> None:
            c.execute(
                "INSERT INTO webhook_attempts (job_id, url, at, status_code, duration_ms, "
                "response_excerpt, error) VALUES (?,?,?,?,?,?,?)",
                (a.job_id, a.url, a.at, a.status_code, a.duration_ms, a.response_excerpt, a.error),
            )
            if done:
                c.execute(
                    "UPDATE jobs SET state = 'done', lease_until = NULL WHERE id = ?", (job.id,)
                )
            elif retry_at is None:
                c.execute(
                    "UPDATE jobs SET state = 'failed', lease_until = NULL, last_error = ? "
                    "WHERE id = ?",
                    (a.error, job.id),
                )
            else:
                c.execute(
                    "UPDATE jobs SET run_at = ?, lease_until = NULL, last_error = ? WHERE id = ?",
                    (retry_at, a.error, job.id),
                )

        await self.engine.write(run)

    async def attempts(self, job_id: int) -> list[WebhookAttempt]:
        rows = await self.engine.read(
            lambda c: c.execute(
                "SELECT job_id, url, at, status_code, duration_ms, response_excerpt, error "
                "FROM webhook_attempts WHERE job_id = ? ORDER BY id",
                (job_id,),
            ).fetchall()
        )
        return [WebhookAttempt(*r) for r in rows]


def _enqueue_relay(c: sqlite3.Connection, wamid: str, body: bytes, now: float) -> None:
    """Queue a client webhook for the message's channel, if it has a webhook URL."""
    c.execute(
        "INSERT INTO jobs (kind, ref, ordering_key, run_at, payload, created_at) "
        "SELECT ?, m.channel_id, m.wamid, ?, ?, ? FROM messages m "
        "JOIN channels ch ON ch.id = m.channel_id "
        "WHERE m.wamid = ? AND ch.webhook_url IS NOT NULL",
        (CLIENT_WEBHOOK, now, body, now, wamid),
    )
