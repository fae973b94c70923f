"""The Partner Hub's part of the storage port: its users and read models (message log,
timeline, funnel, clicks, API keys). A protocol of its own, so a backend can add it after
`Store`; the Hub checks a store for it (mmgate/ui/context.py) before using it.

`mmgate.storage.port` re-exports every name here, so either import works.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from mmgate.storage.port import WebhookDelivery


@dataclass(frozen=True, slots=True)
class HubUser:
    id: int
    partner_id: str
    email: str
    password_hash: str
    session_generation: int  # bumped on logout: older session cookies are void


@dataclass(frozen=True, slots=True)
class MessageFilter:
    """The message log's filters; None = any. `route_taken="unknown"` = not learnt yet."""

    status: str | None = None
    route_requested: str | None = None
    route_taken: str | None = None
    template_name: str | None = None
    channel_id: str | None = None
    since: float | None = None
    until: float | None = None


@dataclass(frozen=True, slots=True)
class MessageSummary:
    """One row of the message log."""

    wamid: str
    channel_id: str
    display_phone_number: str
    recipient: str
    entry_point: str
    template_name: str | None
    category: str | None
    route_requested: str
    route_taken: str | None
    status: str
    error: str | None
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class MessageEvent:
    status: str
    at: float
    detail: str | None


@dataclass(frozen=True, slots=True)
class MessageDetail:
    summary: MessageSummary
    template_language: str | None
    upstream_endpoint: str
    meta_wamid: str | None
    ttl_seconds: int
    expires_at: float
    payload: bytes  # the client's request body
    events: list[MessageEvent]


@dataclass(frozen=True, slots=True)
class FunnelRow:
    """Messages accepted on one UTC day for one template and route, and how far they got.

    `route` is the route taken, or the one requested while Meta has not told yet."""

    day: str  # YYYY-MM-DD
    template_name: str | None
    route: str
    accepted: int
    sent: int
    delivered: int
    read: int
    failed: int
    expired: int


@dataclass(frozen=True, slots=True)
class ClickCount:
    """Click events (`user_actions`) relayed to one channel on one UTC day. Meta's click
    events name no message, so clicks are counted per channel and day only."""

    day: str
    channel_id: str
    clicks: int


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    key_hash: str
    channel_id: str
    label: str | None
    hint: str | None  # the key's last characters, kept to tell keys apart
    created_at: float
    revoked_at: float | None
    expires_at: float | None = None  # a rotated key works until then (the overlap)


class HubStore(Protocol):
    async def hub_session_secret(self, candidate: str) -> str:
        """The secret that signs Hub sessions: stored once (`candidate`), then kept."""
        ...

    async def hub_save_user(
        self, partner_id: str, email: str, password_hash: str, now: float
    ) -> bool: ...
    async def hub_user_by_email(self, email: str) -> HubUser | None: ...
    async def hub_user(self, user_id: int) -> HubUser | None: ...
    async def hub_end_sessions(self, user_id: int) -> None: ...
    async def hub_messages(
        self, partner_id: str, filters: MessageFilter, *, offset: int = 0, limit: int = 50
    ) -> list[MessageSummary]: ...
    async def hub_message(self, partner_id: str, wamid: str) -> MessageDetail | None: ...
    async def hub_message_deliveries(
        self, partner_id: str, wamid: str
    ) -> list[WebhookDelivery]: ...
    async def hub_template_names(self, partner_id: str) -> list[str]: ...
    async def hub_funnel(self, partner_id: str, since: float, until: float) -> list[FunnelRow]: ...
    async def hub_clicks(self, partner_id: str, since: float, until: float) -> list[ClickCount]: ...
    async def hub_api_keys(self, partner_id: str) -> list[ApiKeyRecord]: ...
    async def hub_create_api_key(
        self, partner_id: str, channel_id: str, key_hash: str, hint: str, label: str, now: float
    ) -> bool: ...
    async def hub_revoke_api_key(self, partner_id: str, key_hash: str, now: float) -> str | None:
        """Revoke a key of one of the partner's channels; the channel id, or None."""
        ...
