"""The send path: accept messages durably (reading one back: the store, `sql/messages.sql`)."""

from __future__ import annotations

from dataclasses import dataclass

from mmgate.domain import lifecycle
from mmgate.storage.port import (
    UPSTREAM_SEND,
    AcceptOutcome,
    IdempotencyClaim,
    NewMessage,
)
from mmgate.storage.postgres.engine import Connection, Database

# A run of accepts in one statement: idempotency keys, messages and their outbox
# jobs. A message is written only when it has no key, or its key was free; a taken
# key (by an earlier send, or earlier in this transaction) writes nothing, and the
# caller then reads the first answer. Returns the ordinals of the messages written.
_ACCEPT = """
WITH input AS (
    SELECT * FROM unnest(
        $1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
        $8::text[], $9::text[], $10::text[], $11::integer[], $12::double precision[],
        $13::bytea[], $14::bytea[], $15::double precision[], $16::text[], $17::text[],
        $18::bytea[]
    ) WITH ORDINALITY AS i(wamid, channel_id, recipient, entry_point, type, template_name,
        template_language, category, route_requested, upstream_endpoint, ttl_seconds,
        expires_at, payload, upstream, created_at, key, request_hash, response, n)
), claim AS (
    INSERT INTO idempotency_keys (channel_id, key, request_hash, response, created_at)
    SELECT channel_id, key, request_hash, response, created_at FROM input
    WHERE key IS NOT NULL
    ON CONFLICT (channel_id, key) DO NOTHING
    RETURNING channel_id, key
), accepted AS (
    SELECT * FROM input i
    WHERE i.key IS NULL
       OR EXISTS (SELECT 1 FROM claim c WHERE c.channel_id = i.channel_id AND c.key = i.key)
), message AS (
    INSERT INTO messages (wamid, channel_id, recipient, entry_point, type, template_name,
        template_language, category, route_requested, upstream_endpoint, status, status_rank,
        ttl_seconds, expires_at, payload, created_at, updated_at)
    SELECT wamid, channel_id, recipient, entry_point, type, template_name, template_language,
        category, route_requested, upstream_endpoint, $19, $20, ttl_seconds, expires_at,
        payload, created_at, created_at
    FROM accepted
), job AS (
    INSERT INTO jobs (kind, ref, tenant, run_at, payload, created_at)
    SELECT $21, wamid, channel_id, created_at, upstream, created_at FROM accepted ORDER BY n
)
SELECT n FROM accepted
"""

# ON CONFLICT above waited for the key's transaction to commit, so this statement's
# fresh snapshot sees every first answer.
_FIRST_ANSWERS = """
SELECT channel_id, key, request_hash, response FROM idempotency_keys
WHERE (channel_id, key) IN (SELECT * FROM unnest($1::text[], $2::text[]))
"""


@dataclass(frozen=True, slots=True)
class _Accept:
    message: NewMessage
    response: bytes
    idempotency: IdempotencyClaim | None

    @property
    def key(self) -> tuple[str, str] | None:
        i = self.idempotency
        return None if i is None else (self.message.channel_id, i.key)

    def row(self) -> tuple[object, ...]:
        m, i = self.message, self.idempotency
        key, request_hash = (None, None) if i is None else (i.key, i.request_hash)
        return (
            *(m.wamid, m.channel_id, m.recipient, m.entry_point, m.type, m.template_name),
            *(m.template_language, m.category, m.route_requested, m.upstream_endpoint),
            *(m.ttl_seconds, m.expires_at, m.payload, m.upstream, m.created_at),
            *(key, request_hash, self.response),
        )


async def _accept_run(c: Connection, run: list[_Accept]) -> list[AcceptOutcome]:
    """Accept a run of sends in one statement, with the outcomes one by one would give."""
    # A key repeated within the run is offered once, by its first send; the others
    # replay the answer that holds after the statement.
    offered: list[int] = []
    seen: set[tuple[str, str]] = set()
    for index, accept in enumerate(run):
        key = accept.key
        if key is None or key not in seen:
            offered.append(index)
        if key is not None:
            seen.add(key)
    columns = [list(col) for col in zip(*(run[i].row() for i in offered), strict=True)]
    written_rows = await c.fetch(
        _ACCEPT, *columns, lifecycle.ACCEPTED, lifecycle.rank(lifecycle.ACCEPTED), UPSTREAM_SEND
    )
    written = {offered[r[0] - 1] for r in written_rows}
    replays = [(i, a.key) for i, a in enumerate(run) if i not in written]
    answers = await _first_answers(c, [key for _, key in replays if key is not None])
    outcomes = [AcceptOutcome(a.response, replayed=False) for a in run]
    for index, key in replays:
        assert key is not None, "a send without an idempotency key is always written"
        request_hash, response = answers[key]
        claim = run[index].idempotency
        conflict = claim is not None and claim.request_hash != request_hash
        outcomes[index] = AcceptOutcome(response, replayed=True, conflict=conflict)
    return outcomes


async def _first_answers(
    c: Connection, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, bytes]]:
    if not keys:
        return {}
    rows = await c.fetch(_FIRST_ANSWERS, [k[0] for k in keys], [k[1] for k in keys])
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


class SendPath:
    db: Database

    async def accept(
        self, message: NewMessage, response: bytes, idempotency: IdempotencyClaim | None
    ) -> AcceptOutcome:
        return await self.db.write_in_bulk(_accept_run, _Accept(message, response, idempotency))
