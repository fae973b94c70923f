"""The gateway's template knowledge: filled by Graph look-ups and template webhooks."""

from __future__ import annotations

import json

from mmgate.domain.templates import TemplateInfo
from mmgate.storage.postgres.engine import Connection, Database


class Templates:
    db: Database

    async def template(self, waba_id: str, name: str, language: str) -> TemplateInfo | None:
        row = await self.db.read(
            lambda c: c.fetchrow(
                "SELECT name, language, category, status, body_params, url_button_params, "
                "ttl_seconds, sync_until, bid_amount FROM templates "
                "WHERE waba_id = $1 AND name = $2 AND language = $3",
                waba_id,
                name,
                language,
            )
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
        async def run(c: Connection) -> None:
            await c.executemany(
                "INSERT INTO templates (waba_id, name, language, category, status, body_params, "
                "url_button_params, ttl_seconds, fetched_at, bid_amount) "
                "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) "
                "ON CONFLICT (waba_id, name, language) DO UPDATE SET "
                "category = excluded.category, status = excluded.status, "
                "body_params = excluded.body_params, "
                "url_button_params = excluded.url_button_params, "
                "ttl_seconds = excluded.ttl_seconds, fetched_at = excluded.fetched_at, "
                "bid_amount = excluded.bid_amount",
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

        await self.db.write(run)

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
        await self.db.write(
            lambda c: c.execute(
                "UPDATE templates SET status = COALESCE($1, status), "
                "category = COALESCE($2, category), sync_until = COALESCE($3, sync_until) "
                "WHERE waba_id = $4 AND name = $5 AND language = $6",
                status,
                category,
                sync_until,
                waba_id,
                name,
                language,
            )
        )
