"""The one store: the port's calls, in domain words, mapped to named queries.

Every backend runs this same code; what differs is its connector (how a query
reaches the driver) and, for a few queries, its variant of the SQL
(`sql/*.sql`). Rows come back as tuples and become the port's dataclasses here.
The batched hot path (accepts, claims, outcomes, statuses, the expiry sweep)
still lives in per-backend mixins that each backend's store class puts before
this one; the outbox's and messages' plain reads are here.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields

from mmgate.domain.templates import TemplateInfo
from mmgate.domain.throughput import EPSILON, Ask, Limit, Taken, take_first
from mmgate.storage.connectors import Connector, Row, execute, fetch_one
from mmgate.storage.delivery_log import DeliveryLog
from mmgate.storage.hub import Hub
from mmgate.storage.port import (
    HELD_BEHIND_FAILED,
    UNSET,
    ApiKeyRecord,
    Channel,
    Chaos,
    ClientRecord,
    MessagePrice,
    MessageRecord,
    Partner,
    Unset,
    UpstreamCredentials,
    WabaRecord,
    WebhookAttempt,
)


class SqlStore(DeliveryLog, Hub):
    connector: Connector

    # -- provisioning ---------------------------------------------------------------

    async def save_partner(self, partner: Partner, key_hash: str, now: float) -> None:
        p = partner
        await self.connector.execute(
            "save_partner",
            id=p.id,
            name=p.name,
            key_hash=key_hash,
            webhook_url=p.webhook_url,
            webhook_secret=p.webhook_secret,
            marketing_routing=p.marketing_routing,
            now=now,
            onboarding_token=p.onboarding_token,
        )

    async def save_client(self, partner_id: str, business_id: str, name: str) -> None:
        await self.connector.execute(
            "save_client", business_id=business_id, partner_id=partner_id, name=name
        )

    async def save_waba(self, business_id: str, waba_id: str, name: str) -> None:
        await self.connector.execute(
            "save_waba", waba_id=waba_id, business_id=business_id, name=name
        )

    async def save_channel(self, channel: Channel, now: float) -> None:
        ch = channel
        await self.connector.execute(
            "save_channel",
            id=ch.id,
            waba_id=ch.waba_id,
            phone_number_id=ch.phone_number_id,
            display_phone_number=ch.display_phone_number,
            webhook_url=ch.webhook_url,
            webhook_headers=json.dumps(ch.webhook_headers),
            now=now,
        )

    async def add_api_key(self, channel_id: str, key_hash: str, now: float) -> None:
        await self.connector.execute(
            "add_api_key", key_hash=key_hash, channel_id=channel_id, now=now
        )

    async def save_upstream(self, credentials: UpstreamCredentials) -> None:
        cr = credentials
        await self.connector.execute(
            "save_upstream",
            graph_token=cr.graph_token,
            app_secret=cr.app_secret,
            verify_token=cr.verify_token,
        )

    async def upstream(self) -> UpstreamCredentials | None:
        row = await self.connector.fetch_one("upstream")
        return None if row is None else UpstreamCredentials(*row)

    async def is_empty(self) -> bool:
        row = await self.connector.fetch_one("any_partner")
        return row is None or not row[0]

    # -- partners -----------------------------------------------------------------------

    async def partner(self, partner_id: str) -> Partner | None:
        return _partner(await self.connector.fetch_one("partner_by_id", partner_id=partner_id))

    async def partner_for_key(self, key_hash: str) -> Partner | None:
        return _partner(await self.connector.fetch_one("partner_for_key", key_hash=key_hash))

    async def partner_for_key_at(self, key_hash: str, now: float) -> Partner | None:
        row = await self.connector.fetch_one("partner_for_key_at", key_hash=key_hash, now=now)
        return _partner(row)

    async def partner_for_onboarding_token(self, token: str) -> Partner | None:
        return _partner(await self.connector.fetch_one("partner_for_onboarding_token", token=token))

    async def update_partner(
        self,
        partner_id: str,
        *,
        webhook_url: str | Unset | None = UNSET,
        marketing_routing: bool | Unset = UNSET,
    ) -> None:
        changes = []
        if not isinstance(webhook_url, Unset):
            changes.append(
                execute("set_partner_webhook_url", webhook_url=webhook_url, partner_id=partner_id)
            )
            changes.append(execute("release_endpoint", url=webhook_url))
        if not isinstance(marketing_routing, Unset):
            changes.append(
                execute(
                    "set_partner_marketing_routing",
                    marketing_routing=marketing_routing,
                    partner_id=partner_id,
                )
            )
        if changes:
            await self.connector.write(changes)

    async def rotate_webhook_secret(
        self, partner_id: str, new_secret: str, previous_until: float
    ) -> None:
        await self.connector.execute(
            "rotate_webhook_secret",
            previous_until=previous_until,
            new_secret=new_secret,
            partner_id=partner_id,
        )

    async def rotate_partner_key(
        self, partner_id: str, new_key_hash: str, previous_until: float
    ) -> None:
        await self.connector.execute(
            "rotate_partner_key",
            previous_until=previous_until,
            new_key_hash=new_key_hash,
            partner_id=partner_id,
        )

    # -- clients and WABAs --------------------------------------------------------------

    async def clients(self, partner_id: str) -> list[ClientRecord]:
        """Clients by name, their WABAs by id (bytewise, as on SQLite)."""
        rows = await self.connector.fetch_all("clients_with_wabas", partner_id=partner_id)
        names: dict[str, str] = {}
        wabas: dict[str, list[WabaRecord]] = {}
        for business_id, name, waba_id, waba_name, mm_status in rows:
            names[business_id] = name
            found = wabas.setdefault(business_id, [])
            if waba_id is not None:
                found.append(WabaRecord(waba_id, waba_name, mm_status))
        return [
            ClientRecord(business_id, name, sorted(wabas[business_id], key=lambda w: w.id))
            for business_id, name in sorted(names.items(), key=lambda item: (item[1], item[0]))
        ]

    async def waba_partner(self, waba_id: str) -> str | None:
        row = await self.connector.fetch_one("waba_partner", waba_id=waba_id)
        return None if row is None else str(row[0])

    async def set_waba_mm_status(self, waba_id: str, status: str) -> None:
        await self.connector.execute("set_waba_mm_status", status=status, waba_id=waba_id)

    # -- channels -----------------------------------------------------------------------

    async def channel_by_id(self, channel_id: str) -> Channel | None:
        row = await self.connector.fetch_one("channel_by_id", channel_id=channel_id)
        return None if row is None else _channel(row)

    async def channel_for_phone_number(self, phone_number_id: str) -> Channel | None:
        row = await self.connector.fetch_one(
            "channel_for_phone_number", phone_number_id=phone_number_id
        )
        return None if row is None else _channel(row)

    async def channel_for_key(self, key_hash: str) -> Channel | None:
        """The key's channel; `key_valid_until` is when the key ends (after a rotation)."""
        row = await self.connector.fetch_one("channel_for_key", key_hash=key_hash)
        return None if row is None else _channel(row[:-1], key_valid_until=row[-1])

    async def channels(self, partner_id: str) -> list[Channel]:
        """By id, bytewise (as on SQLite)."""
        rows = await self.connector.fetch_all("partner_channels", partner_id=partner_id)
        return sorted((_channel(r) for r in rows), key=lambda ch: ch.id)

    async def set_channel_webhook(
        self, channel_id: str, url: str | None, headers: dict[str, str], chaos: Chaos | None = None
    ) -> None:
        chaos = chaos or Chaos()
        await self.connector.write(
            [
                execute(
                    "set_channel_webhook",
                    url=url,
                    headers=json.dumps(headers),
                    chaos_duplicates=chaos.duplicates,
                    chaos_out_of_order=chaos.out_of_order,
                    channel_id=channel_id,
                ),
                execute("release_endpoint", url=url),
            ]
        )

    # -- channel keys: rotation with an overlap, revocation -------------------------------
    # Each statement checks the channel is the partner's: another's is "not found".

    async def channel_keys(self, partner_id: str, channel_id: str) -> list[ApiKeyRecord] | None:
        rows = await self.connector.fetch_all(
            "channel_keys", partner_id=partner_id, channel_id=channel_id
        )
        if not rows:
            return None
        return [ApiKeyRecord(*r) for r in rows if r[0] is not None]

    async def rotate_channel_key(
        self, partner_id: str, channel_id: str, new_key: ApiKeyRecord, previous_until: float
    ) -> bool:
        k = new_key
        scope = {"partner_id": partner_id, "channel_id": channel_id}
        _, added = await self.connector.write(
            [
                execute("end_channel_keys", until=previous_until, **scope),
                execute(
                    "add_channel_key",
                    key_hash=k.key_hash,
                    now=k.created_at,
                    label=k.label,
                    hint=k.hint,
                    **scope,
                ),
            ]
        )
        return bool(added)

    async def revoke_channel_key(
        self, partner_id: str, channel_id: str, key_hash: str, now: float
    ) -> bool:
        revoked = await self.connector.execute(
            "revoke_channel_key",
            now=now,
            key_hash=key_hash,
            channel_id=channel_id,
            partner_id=partner_id,
        )
        return revoked > 0

    # -- events relayed as they come ----------------------------------------------------

    async def record_partner_event(
        self, partner_id: str, body: bytes, ordering_key: str | None, now: float
    ) -> bool:
        queued = await self.connector.execute(
            "record_partner_event",
            partner_id=partner_id,
            body=body,
            ordering_key=ordering_key,
            now=now,
            held_behind=HELD_BEHIND_FAILED,
        )
        return queued > 0

    async def record_channel_event(
        self, channel_id: str, body: bytes, now: float, ordering_key: str | None = None
    ) -> bool:
        queued = await self.connector.execute(
            "record_channel_event",
            channel_id=channel_id,
            body=body,
            ordering_key=ordering_key,
            now=now,
            held_behind=HELD_BEHIND_FAILED,
        )
        return queued > 0

    # -- messages and the outbox: the plain reads (claims and settling: the backends) --------

    async def message(self, channel_id: str, wamid: str) -> MessageRecord | None:
        row = await self.connector.fetch_one("message", wamid=wamid, channel_id=channel_id)
        if row is None:
            return None
        events = await self.connector.fetch_all("message_events", wamid=wamid)
        columns = dict(zip(_MESSAGE_COLUMNS, row, strict=True))
        return MessageRecord(**columns, events=[(e[0], e[1], e[2]) for e in events])

    async def wamid_for_meta(self, meta_wamid: str) -> str | None:
        row = await self.connector.fetch_one("wamid_for_meta", meta_wamid=meta_wamid)
        return None if row is None else str(row[0])

    async def due(self, kind: str, now: float) -> bool:
        """Whether a job of this kind could be claimed now (same rules as `claim`)."""
        row = await self.connector.fetch_one("due", kind=kind, now=now)
        return row is not None and bool(row[0])

    async def held_endpoints(self) -> set[str]:
        return {r[0] for r in await self.connector.fetch_all("held_endpoints")}

    async def release_endpoint(self, url: str) -> None:
        await self.connector.execute("release_endpoint", url=url)

    async def attempts(self, job_id: int) -> list[WebhookAttempt]:
        """Every attempt: failed ones have rows, the one that succeeded lives on the job."""
        rows = await self.connector.fetch_all("job_attempts", job_id=job_id)
        return [WebhookAttempt(*r) for r in rows]

    # -- templates ----------------------------------------------------------------------

    async def template(self, waba_id: str, name: str, language: str) -> TemplateInfo | None:
        row = await self.connector.fetch_one(
            "template", waba_id=waba_id, name=name, language=language
        )
        if row is None:
            return None
        name, language, category, status, body_params, buttons, ttl, sync_until, bid = row
        buttons = tuple(json.loads(buttons))
        return TemplateInfo(
            name, language, category, status, body_params, buttons, ttl, sync_until, bid
        )

    async def save_templates(self, waba_id: str, templates: list[TemplateInfo], now: float) -> None:
        await self.connector.execute_many(
            "save_template",
            [
                {
                    "waba_id": waba_id,
                    "name": t.name,
                    "language": t.language,
                    "category": t.category,
                    "status": t.status,
                    "body_params": t.body_params,
                    "url_button_params": json.dumps(list(t.url_button_params)),
                    "ttl_seconds": t.ttl_seconds,
                    "now": now,
                    "bid_amount": t.bid_amount,
                }
                for t in templates
            ],
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
        await self.connector.execute(
            "update_template",
            status=status,
            category=category,
            sync_until=sync_until,
            waba_id=waba_id,
            name=name,
            language=language,
        )

    # -- max price ----------------------------------------------------------------------

    async def record_price(self, price: MessagePrice) -> None:
        """Once per message: a second record of the same wamid is ignored."""
        await self.connector.execute("record_price", **asdict(price))

    async def message_price(self, wamid: str) -> MessagePrice | None:
        row = await self.connector.fetch_one("message_price", wamid=wamid)
        return None if row is None else MessagePrice(*row)

    # -- per-number throughput ----------------------------------------------------------

    async def take_throughput(
        self, phone_number_id: str, ask: Ask, limit: Limit, now: float
    ) -> Taken:
        first = take_first(ask, limit)
        (row,) = await self.connector.write(
            [
                fetch_one(
                    "take_throughput",
                    phone_number_id=phone_number_id,
                    ask=ask.tokens,
                    returned=ask.returned,
                    per_second=limit.per_second,
                    burst=limit.burst,
                    epsilon=EPSILON,
                    now=now,
                    first_granted=first.granted,
                    first_left=first.left,
                )
            ],
            first=True,  # sends wait on a grant that came late
        )
        granted, left = row
        return Taken(int(granted), float(left))


# The `message` query's columns, in order: every field of the record but its timeline.
_MESSAGE_COLUMNS = [f.name for f in fields(MessageRecord) if f.name != "events"]


def _partner(row: Row | None) -> Partner | None:
    if row is None:
        return None
    id_, name, url, secret, routing, token, previous_secret, previous_until = row
    return Partner(id_, name, url, secret, bool(routing), token, previous_secret, previous_until)


def _channel(row: Row, key_valid_until: float | None = None) -> Channel:
    id_, partner_id, business_id, waba_id, phone_number_id, display, url, headers = row[:8]
    duplicates, out_of_order = row[8:]
    return Channel(
        id=id_,
        partner_id=partner_id,
        business_id=business_id,
        waba_id=waba_id,
        phone_number_id=phone_number_id,
        display_phone_number=display,
        webhook_url=url,
        webhook_headers=json.loads(headers),
        chaos=Chaos(duplicates=duplicates, out_of_order=bool(out_of_order)),
        key_valid_until=key_valid_until,
    )
