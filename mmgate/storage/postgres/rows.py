"""Rows to domain objects, shared by the PostgreSQL store's parts."""

from __future__ import annotations

import json

import asyncpg

from mmgate.storage.port import Channel, Chaos, Partner

CHANNEL_SELECT = """
SELECT c.id, cl.partner_id, w.business_id, c.waba_id, c.phone_number_id,
       c.display_phone_number, c.webhook_url, c.webhook_headers, c.chaos_duplicates,
       c.chaos_out_of_order
FROM channels c JOIN wabas w ON w.id = c.waba_id JOIN clients cl ON cl.business_id = w.business_id
"""

PARTNER_SELECT = """
SELECT id, name, webhook_url, webhook_secret, marketing_routing, onboarding_token,
       previous_webhook_secret, previous_secret_until
FROM partners
"""


def channel(row: asyncpg.Record | None) -> Channel | None:
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
        chaos=Chaos(duplicates=row[8], out_of_order=row[9]),
    )


def channels(rows: list[asyncpg.Record]) -> list[Channel]:
    return [c for c in map(channel, rows) if c is not None]


def partner(row: asyncpg.Record | None) -> Partner | None:
    if row is None:
        return None
    return Partner(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7])
