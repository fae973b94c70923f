"""The storage port: what the gateway needs from a database, in domain words.

Backends (SQLite, PostgreSQL) implement `Store`; nothing outside
`mmgate/storage` writes SQL. The Partner Hub's part (`HubStore` and its read models) is in
`hub_port.py`, its names imported here so `mmgate.storage.port` offers the whole port.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from mmgate.domain.templates import TemplateInfo
from mmgate.domain.throughput import Ask, Limit, Taken
from mmgate.storage.hub_port import ApiKeyRecord as ApiKeyRecord
from mmgate.storage.hub_port import ClickCount as ClickCount
from mmgate.storage.hub_port import FunnelRow as FunnelRow
from mmgate.storage.hub_port import HubStore as HubStore
from mmgate.storage.hub_port import HubUser as HubUser
from mmgate.storage.hub_port import MessageDetail as MessageDetail
from mmgate.storage.hub_port import MessageEvent as MessageEvent
from mmgate.storage.hub_port import MessageFilter as MessageFilter
from mmgate.storage.hub_port import MessageSummary as MessageSummary
from mmgate.storage.stats import WriterStats


@dataclass(frozen=True, slots=True)
class Partner:
    id: str
    name: str
    webhook_url: str | None
    webhook_secret: str
    marketing_routing: bool
    onboarding_token: str | None = None
    previous_webhook_secret: str | None = None  # still signed with until previous_secret_until
    previous_secret_until: float | None = None

    def signing_secrets(self, now: float) -> list[str]:
        """The current secret, plus the previous one during a rotation's overlap."""
        secrets = [self.webhook_secret]
        if self.previous_webhook_secret and (self.previous_secret_until or 0) > now:
            secrets.append(self.previous_webhook_secret)
        return secrets


class Unset:
    """Marks an argument that was not given (None is a value: "clear it")."""


UNSET = Unset()


@dataclass(frozen=True, slots=True)
class WabaRecord:
    id: str
    name: str
    mm_status: str | None


@dataclass(frozen=True, slots=True)
class ClientRecord:
    business_id: str
    name: str
    wabas: list[WabaRecord]


@dataclass(frozen=True, slots=True)
class Chaos:
    """Opt-in receiver testing aid: duplicates and out-of-order statuses, as Meta sometimes
    delivers them."""

    duplicates: float = 0.0  # probability that a delivered webhook is delivered again
    out_of_order: bool = False  # statuses of one message are not held in lifecycle order


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    id: int
    kind: str
    ref: str
    ordering_key: str | None
    state: str  # pending | done | failed
    attempts: int
    run_at: float
    created_at: float
    last_error: str | None
    payload: bytes | None


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    partner_id: str
    business_id: str
    waba_id: str
    phone_number_id: str
    display_phone_number: str
    webhook_url: str | None
    webhook_headers: dict[str, str] = field(default_factory=dict)
    chaos: Chaos = field(default_factory=lambda: Chaos())
    # Set when looked up by API key: the key's end of validity after a rotation (None:
    # no end). Checked against the clock when the key is used (mmgate/services/keys.py).
    key_valid_until: float | None = None


@dataclass(frozen=True, slots=True)
class UpstreamCredentials:
    graph_token: str
    app_secret: str
    verify_token: str


@dataclass(frozen=True, slots=True)
class NewMessage:
    wamid: str
    channel_id: str
    recipient: str
    entry_point: str
    type: str
    template_name: str | None
    template_language: str | None
    category: str | None
    route_requested: str
    upstream_endpoint: str
    ttl_seconds: int
    expires_at: float
    payload: bytes  # the client's request body, for the message log
    upstream: bytes  # the encoded upstream request the outbox job carries
    created_at: float


@dataclass(frozen=True, slots=True)
class MessagePrice:
    """A send made with a max price, priced at acceptance (docs/max-price.md). Amounts
    are per 1,000 deliveries in the currency's smallest unit, as Meta's bid_amount."""

    wamid: str
    channel_id: str
    country: str
    currency: str
    list_price: int
    bid_amount: int | None
    bid_multiplier: float | None
    max_price: int | None
    created_at: float


@dataclass(frozen=True, slots=True)
class IdempotencyClaim:
    key: str
    request_hash: str


@dataclass(frozen=True, slots=True)
class AcceptOutcome:
    """`response` is what to answer; `replayed` when an idempotency key matched."""

    response: bytes
    replayed: bool
    conflict: bool = False


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    kind: str
    ref: str
    ordering_key: str | None
    payload: bytes | None
    attempts: int
    created_at: float
    last_error: str | None = None
    started_at: float | None = None  # an upstream send whose request may have left
    tenant: str | None = None  # whose job: claims take turns across tenants


LEASE_EXPIRED = "lease expired"
# Why a delivery waits or fails without an attempt of its own.
HELD_BEHIND_FAILED = "an earlier webhook of this message failed"
ENDPOINT_HELD = "endpoint answered 410 Gone: held until its URL is set again or a replay"

# Outbox job kinds.
UPSTREAM_SEND = "upstream_send"  # ref: our wamid
CLIENT_WEBHOOK = "client_webhook"  # ref: channel id; ordering_key: our wamid
PARTNER_WEBHOOK = "partner_webhook"  # ref: partner id; ordering_key: WABA id


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """One status for one of our messages, and the client webhook body that relays it."""

    wamid: str
    status: str
    at: float
    route_taken: str | None
    relay_body: bytes
    error: str | None = None


@dataclass(frozen=True, slots=True)
class MessageRecord:
    wamid: str
    channel_id: str
    recipient: str
    entry_point: str
    type: str
    template_name: str | None
    category: str | None
    route_requested: str
    route_taken: str | None
    status: str
    meta_wamid: str | None
    ttl_seconds: int
    expires_at: float
    error: str | None
    created_at: float
    events: list[tuple[str, float, str | None]]


@dataclass(frozen=True, slots=True)
class WebhookAttempt:
    job_id: int
    url: str
    at: float
    status_code: int | None
    duration_ms: float
    response_excerpt: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class SendAccepted:
    """Meta took the send and answered its wamid."""

    job: Job
    meta_wamid: str


@dataclass(frozen=True, slots=True)
class SendSettled:
    """The send's outcome is final (failed, expired, unknown); relayed when there is a body.
    A settle never moves a status back: a message Meta already reported on keeps it."""

    job: Job
    status: str
    error: str | None
    relay_body: bytes | None


@dataclass(frozen=True, slots=True)
class Rescheduled:
    """Back to the queue at `run_at` (a retry, a resting endpoint); not an attempt."""

    job: Job
    run_at: float
    reason: str


@dataclass(frozen=True, slots=True)
class DeliveryAttempted:
    """A webhook was posted (or could not be): done, retried at `retry_at`, or failed for
    good (`retry_at` None). A failure for good also fails the message's later webhooks
    (they wait behind it, so order holds), and `hold_endpoint` holds the URL (410)."""

    job: Job
    attempt: WebhookAttempt
    done: bool
    retry_at: float | None
    hold_endpoint: bool = False


JobOutcome = SendAccepted | SendSettled | Rescheduled | DeliveryAttempted


@dataclass(frozen=True, slots=True)
class Overdue:
    """A message whose TTL ended before it was delivered, as the expiry sweep finds it."""

    wamid: str
    status: str  # before it expired: accepted, unknown, sent_upstream or sent
    recipient: str
    phone_number_id: str
    display_phone_number: str
    waba_id: str
    payload: bytes  # the client's request (its biz_opaque_callback_data)
    expires_at: float  # when its TTL ended: the time the expiry is stamped with


# The relay body for an overdue message, or None when the client is not told.
OverdueRelay = Callable[[Overdue], bytes | None]


class Store(Protocol):
    @property
    def stats(self) -> WriterStats:
        """What this process's writer committed (for /metrics)."""
        ...

    async def start(self) -> None: ...
    async def close(self) -> None: ...

    # provisioning
    async def save_partner(self, partner: Partner, key_hash: str, now: float) -> None: ...
    async def save_client(self, partner_id: str, business_id: str, name: str) -> None: ...
    async def save_waba(self, business_id: str, waba_id: str, name: str) -> None: ...
    async def save_channel(self, channel: Channel, now: float) -> None: ...
    async def add_api_key(self, channel_id: str, key_hash: str, now: float) -> None: ...
    async def save_upstream(self, credentials: UpstreamCredentials) -> None: ...
    async def is_empty(self) -> bool: ...

    # look-ups
    async def partner_for_key(self, key_hash: str) -> Partner | None: ...
    async def partner_for_onboarding_token(self, token: str) -> Partner | None: ...
    async def update_partner(
        self,
        partner_id: str,
        *,
        webhook_url: str | Unset | None = UNSET,
        marketing_routing: bool | Unset = UNSET,
    ) -> None: ...
    async def clients(self, partner_id: str) -> list[ClientRecord]: ...
    async def channels(self, partner_id: str) -> list[Channel]: ...
    async def set_waba_mm_status(self, waba_id: str, status: str) -> None: ...
    async def waba_partner(self, waba_id: str) -> str | None: ...
    async def channel_for_phone_number(self, phone_number_id: str) -> Channel | None: ...
    async def update_template(
        self,
        waba_id: str,
        name: str,
        language: str,
        *,
        status: str | None,
        category: str | None,
        sync_until: float | None = None,
    ) -> None: ...
    async def record_partner_event(
        self, partner_id: str, body: bytes, ordering_key: str | None, now: float
    ) -> bool: ...
    async def record_channel_event(
        self, channel_id: str, body: bytes, now: float, ordering_key: str | None = None
    ) -> bool: ...
    async def channel_for_key(self, key_hash: str) -> Channel | None: ...
    async def channel_by_id(self, channel_id: str) -> Channel | None: ...
    async def partner(self, partner_id: str) -> Partner | None: ...
    async def upstream(self) -> UpstreamCredentials | None: ...
    async def set_channel_webhook(
        self, channel_id: str, url: str | None, headers: dict[str, str], chaos: Chaos | None = None
    ) -> None: ...
    async def rotate_webhook_secret(
        self, partner_id: str, new_secret: str, previous_until: float
    ) -> None: ...
    async def template(self, waba_id: str, name: str, language: str) -> TemplateInfo | None: ...
    async def save_templates(
        self, waba_id: str, templates: list[TemplateInfo], now: float
    ) -> None: ...

    # the send path
    async def accept(
        self, message: NewMessage, response: bytes, idempotency: IdempotencyClaim | None
    ) -> AcceptOutcome: ...
    async def message(self, channel_id: str, wamid: str) -> MessageRecord | None: ...
    async def record_price(self, price: MessagePrice) -> None: ...
    async def message_price(self, wamid: str) -> MessagePrice | None: ...
    async def take_throughput(
        self, phone_number_id: str, ask: Ask, limit: Limit, now: float
    ) -> Taken:
        """A grant from the number's bucket, shared by every process and host
        (domain/throughput.take, in one write item)."""
        ...

    # the outbox
    async def claim(self, kind: str, now: float, lease_until: float, limit: int) -> list[Job]:
        """Lease up to `limit` due jobs, taking turns across tenants (oldest first in each)."""
        ...

    async def mark_started(self, jobs: list[Job], now: float) -> None:
        """Upstream sends about to leave: after a crash these are in doubt, the rest are
        sent again (claimed is not sent)."""
        ...

    async def record_outcomes(self, outcomes: list[JobOutcome], now: float) -> None:
        """What the workers did, many jobs in one write."""
        ...

    async def held_endpoints(self) -> set[str]: ...
    async def release_endpoint(self, url: str) -> None: ...
    async def due(self, kind: str, now: float) -> bool: ...
    async def expire_overdue(self, now: float, limit: int, relay: OverdueRelay) -> int:
        """Mark messages not delivered within their TTL `expired` (Meta dropped them),
        relaying what `relay` builds for each in the same write."""
        ...

    async def record_statuses(self, updates: list[StatusUpdate], now: float) -> int: ...
    async def wamid_for_meta(self, meta_wamid: str) -> str | None: ...
    async def attempts(self, job_id: int) -> list[WebhookAttempt]: ...
    async def webhook_deliveries(
        self,
        partner_id: str,
        *,
        state: str | None = None,
        channel_id: str | None = None,
        since: float | None = None,
        limit: int = 100,
    ) -> list[WebhookDelivery]: ...
    async def webhook_delivery(self, partner_id: str, job_id: int) -> WebhookDelivery | None: ...
    async def replay_delivery(self, partner_id: str, job_id: int, now: float) -> bool: ...
    async def replay_failed(
        self, partner_id: str, *, channel_id: str | None, since: float, now: float
    ) -> int: ...

    # keys: rotation with an overlap, and revocation (issue #10). Every call is scoped to
    # one partner; a channel of another partner is "not found".
    async def partner_for_key_at(self, key_hash: str, now: float) -> Partner | None:
        """The partner whose key this is, or whose previous key it is while its overlap
        lasts (`previous_key_until > now`)."""
        ...

    async def rotate_partner_key(
        self, partner_id: str, new_key_hash: str, previous_until: float
    ) -> None:
        """The current key becomes the previous one, valid until `previous_until`."""
        ...

    async def channel_keys(self, partner_id: str, channel_id: str) -> list[ApiKeyRecord] | None:
        """The channel's keys, oldest first; None when it is not the partner's channel."""
        ...

    async def rotate_channel_key(
        self, partner_id: str, channel_id: str, new_key: ApiKeyRecord, previous_until: float
    ) -> bool:
        """Add `new_key`; every other active key of the channel ends at `previous_until`
        (or earlier, if it already ended sooner). False: not the partner's channel."""
        ...

    async def revoke_channel_key(
        self, partner_id: str, channel_id: str, key_hash: str, now: float
    ) -> bool:
        """Revoke one active key at once; False when there is no such key."""
        ...
