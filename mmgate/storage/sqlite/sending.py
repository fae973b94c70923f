"""The send path on SQLite: accepting a message with its outbox job (reading it back: the
store, `sql/messages.sql`)."""

from __future__ import annotations

import sqlite3

from mmgate.domain import lifecycle
from mmgate.storage.port import (
    UPSTREAM_SEND,
    AcceptOutcome,
    IdempotencyClaim,
    NewMessage,
)
from mmgate.storage.sqlite.engine import Engine


class SendingQueries:
    engine: Engine

    # -- the send path -----------------------------------------------------------------

    async def accept(
        self, message: NewMessage, response: bytes, idempotency: IdempotencyClaim | None
    ) -> AcceptOutcome:
        # First: a client waits on this commit; claims and outcomes can wait a group.
        return await self.engine.write(_accept, message, response, idempotency, first=True)


def _accept(
    c: sqlite3.Connection,
    m: NewMessage,
    response: bytes,
    idempotency: IdempotencyClaim | None,
) -> AcceptOutcome:
    if idempotency is not None:
        row = c.execute(
            "SELECT request_hash, response FROM idempotency_keys WHERE channel_id = ? AND key = ?",
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
        "INSERT INTO jobs (kind, ref, tenant, run_at, payload, created_at) VALUES (?,?,?,?,?,?)",
        (UPSTREAM_SEND, m.wamid, m.channel_id, m.created_at, m.upstream, m.created_at),
    )
    return AcceptOutcome(response, replayed=False)
