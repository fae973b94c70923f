"""The webhook log's part of the one store: the deliveries a partner can see, and
replaying them (`sql/delivery_log.sql`)."""

from __future__ import annotations

from mmgate.storage.connectors import Connector, execute, fetch_all
from mmgate.storage.port import WebhookDelivery


class DeliveryLog:
    connector: Connector

    async def webhook_deliveries(
        self,
        partner_id: str,
        *,
        state: str | None = None,
        channel_id: str | None = None,
        since: float | None = None,
        limit: int = 100,
    ) -> list[WebhookDelivery]:
        rows = await self.connector.fetch_all(
            "webhook_deliveries",
            partner_id=partner_id,
            state=state,
            channel_id=channel_id,
            since=since,
            limit=limit,
        )
        return [WebhookDelivery(*r) for r in rows]

    async def webhook_delivery(self, partner_id: str, job_id: int) -> WebhookDelivery | None:
        row = await self.connector.fetch_one(
            "webhook_delivery", partner_id=partner_id, job_id=job_id
        )
        return None if row is None else WebhookDelivery(*row)

    async def replay_delivery(self, partner_id: str, job_id: int, now: float) -> bool:
        """True when the delivery was done or failed (and is now pending again)."""
        chosen = {"partner_id": partner_id, "job_id": job_id}
        _, replayed = await self.connector.write(
            [
                execute("release_holds_for_delivery", **chosen),
                fetch_all("replay_delivery", now=now, **chosen),
            ]
        )
        return len(replayed) >= 1

    async def replay_failed(
        self, partner_id: str, *, channel_id: str | None, since: float, now: float
    ) -> int:
        """How many deliveries are pending again."""
        chosen = {"partner_id": partner_id, "channel_id": channel_id, "since": since}
        _, replayed = await self.connector.write(
            [
                execute("release_holds_for_failed", **chosen),
                fetch_all("replay_failed", now=now, **chosen),
            ]
        )
        return len(replayed)
