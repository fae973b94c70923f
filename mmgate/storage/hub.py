"""The Partner Hub's part of the one store (the port's `HubStore`): its users and session
secret, and its read models (message log, timeline, funnel, clicks, API keys), each
scoped to one partner, on the named queries of `sql/hub.sql`."""

from __future__ import annotations

from mmgate.domain.clicks import click_ids
from mmgate.storage.connectors import Connector, execute, fetch_one
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

_SUMMARY_WIDTH = 13  # the message log's columns, which the detail's row starts with


class Hub:
    connector: Connector

    # -- users and sessions --------------------------------------------------------

    async def hub_session_secret(self, candidate: str) -> str:
        _, (secret,) = await self.connector.write(
            [execute("save_hub_secret", candidate=candidate), fetch_one("hub_secret")]
        )
        return str(secret)

    async def hub_save_user(
        self, partner_id: str, email: str, password_hash: str, now: float
    ) -> bool:
        """Creates the user, or sets a new password (ending its sessions); never moves a
        user to another partner."""
        (saved,) = await self.connector.write(
            [
                fetch_one(
                    "save_hub_user",
                    partner_id=partner_id,
                    email=email,
                    password_hash=password_hash,
                    now=now,
                )
            ]
        )
        return saved is not None

    async def hub_user_by_email(self, email: str) -> HubUser | None:
        row = await self.connector.fetch_one("hub_user_by_email", email=email)
        return None if row is None else HubUser(*row)

    async def hub_user(self, user_id: int) -> HubUser | None:
        row = await self.connector.fetch_one("hub_user", user_id=user_id)
        return None if row is None else HubUser(*row)

    async def hub_end_sessions(self, user_id: int) -> None:
        await self.connector.execute("end_hub_sessions", user_id=user_id)

    # -- the message log -----------------------------------------------------------

    async def hub_messages(
        self, partner_id: str, filters: MessageFilter, *, offset: int = 0, limit: int = 50
    ) -> list[MessageSummary]:
        f = filters
        rows = await self.connector.fetch_all(
            "hub_messages",
            partner_id=partner_id,
            status=f.status,
            route_requested=f.route_requested,
            route_taken=f.route_taken,
            template_name=f.template_name,
            channel_id=f.channel_id,
            since=f.since,
            until=f.until,
            limit=limit,
            offset=offset,
        )
        return [MessageSummary(*r) for r in rows]

    async def hub_message(self, partner_id: str, wamid: str) -> MessageDetail | None:
        row = await self.connector.fetch_one("hub_message", partner_id=partner_id, wamid=wamid)
        if row is None:
            return None
        events = await self.connector.fetch_all("message_events", wamid=wamid)
        language, endpoint, meta_wamid, ttl, expires_at, payload = row[_SUMMARY_WIDTH:]
        return MessageDetail(
            MessageSummary(*row[:_SUMMARY_WIDTH]),
            language,
            endpoint,
            meta_wamid,
            ttl,
            expires_at,
            payload,
            [MessageEvent(*e) for e in events],
        )

    async def hub_message_deliveries(self, partner_id: str, wamid: str) -> list[WebhookDelivery]:
        rows = await self.connector.fetch_all(
            "hub_message_deliveries", partner_id=partner_id, wamid=wamid
        )
        return [WebhookDelivery(*r) for r in rows]

    async def hub_template_names(self, partner_id: str) -> list[str]:
        """Bytewise (as on SQLite): the databases' collations differ."""
        rows = await self.connector.fetch_all("hub_template_names", partner_id=partner_id)
        return sorted(str(r[0]) for r in rows)

    # -- analytics -----------------------------------------------------------------

    async def hub_funnel(self, partner_id: str, since: float, until: float) -> list[FunnelRow]:
        rows = await self.connector.fetch_all(
            "hub_funnel", partner_id=partner_id, since=since, until=until
        )
        return [FunnelRow(*r) for r in rows]

    async def hub_clicks(self, partner_id: str, since: float, until: float) -> list[ClickCount]:
        """A click id is counted once, on the first event that carries it (replays too)."""
        rows = await self.connector.fetch_all(
            "hub_click_events", partner_id=partner_id, since=since, until=until
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
        rows = await self.connector.fetch_all("hub_api_keys", partner_id=partner_id)
        return [ApiKeyRecord(*r) for r in rows]

    async def hub_create_api_key(
        self, partner_id: str, channel_id: str, key_hash: str, hint: str, label: str, now: float
    ) -> bool:
        """False when the channel is not the partner's."""
        added = await self.connector.execute(
            "add_channel_key",
            key_hash=key_hash,
            now=now,
            label=label,
            hint=hint,
            partner_id=partner_id,
            channel_id=channel_id,
        )
        return added > 0

    async def hub_revoke_api_key(self, partner_id: str, key_hash: str, now: float) -> str | None:
        """Revoke a key of one of the partner's channels; the channel id, or None."""
        (row,) = await self.connector.write(
            [fetch_one("hub_revoke_api_key", partner_id=partner_id, key_hash=key_hash, now=now)]
        )
        return None if row is None else str(row[0])
