"""The Partner API's wire shapes (`/api/v2/partners/{partner_id}/…`), declared once: the
server answers and decodes with them, the SDK reads them, the OpenAPI document is generated
from them (see `wire.py` for the rules). Every answer travels in 360dialog's envelope.

Enumerations are documented with their values but read as plain strings, so a newer server's
value does not break an older client.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from mmgate.sdk.wire import MAX_URL, Filled, FilledStr

MAX_LABEL = 60
MAX_OVERLAP_SECONDS = 30 * 86_400


def one_of(*values: str) -> msgspec.Meta:
    """A string documented as one of `values`, read as any string."""
    return msgspec.Meta(extra_json_schema={"enum": list(values)})


# -- the envelope -------------------------------------------------------------------------


class EnvelopeMeta(msgspec.Struct):
    developer_message: str
    http_code: int
    success: bool
    trace_id: str = msgspec.field(name="360dialog_trace_id")


class Envelope(msgspec.Struct):
    """360dialog's Partner API envelope, around every answer and error alike."""

    meta: EnvelopeMeta
    status_code: int
    data: Any


class EnvelopeError(Envelope):
    """An error: the message is `meta.developer_message`, `data` is empty."""

    data: Annotated[dict[str, Any], msgspec.Meta(max_length=0)] = {}


# -- the partner and its settings ---------------------------------------------------------


class MarketingTemplatesRouting(msgspec.Struct):
    """360dialog's "Fallback Mechanism": marketing templates on /messages go via MM API."""

    enabled: bool


class RoutingPatch(msgspec.Struct, forbid_unknown_fields=True):
    """`PATCH …/settings/marketing_templates_routing`."""

    enabled: bool


class PartnerSettings(msgspec.Struct):
    marketing_templates_routing: Annotated[MarketingTemplatesRouting | None, Filled] = None


class Partner(msgspec.Struct):
    id: str
    name: FilledStr = None
    webhook_url: str | None = None
    onboarding_link: str | None = None
    settings: PartnerSettings = msgspec.field(default_factory=PartnerSettings)

    @property
    def marketing_templates_routing(self) -> bool | None:
        routing = self.settings.marketing_templates_routing
        return None if routing is None else routing.enabled


class PartnerPatch(msgspec.Struct, forbid_unknown_fields=True):
    """`PATCH /api/v2/partners/{partner_id}`: the partner's webhook URL (None removes it)."""

    webhook_url: Annotated[str, msgspec.Meta(extra_json_schema={"maxLength": MAX_URL})] | None


class OnboardingLink(msgspec.Struct):
    url: str | None


# -- clients and channels -----------------------------------------------------------------


class ClientWaba(msgspec.Struct):
    id: str
    name: str
    marketing_messages_onboarding_status: str | None


class PartnerClient(msgspec.Struct):
    business_id: str
    name: str
    wabas: list[ClientWaba]


class Clients(msgspec.Struct):
    count: int
    clients: list[PartnerClient]


class Channel(msgspec.Struct):
    id: str
    phone_number_id: str
    display_phone_number: str
    waba_id: str
    business_id: str
    webhook_url: str | None


class Channels(msgspec.Struct):
    count: int
    channels: list[Channel]


# -- API keys -------------------------------------------------------------------------------


class ApiKey(msgspec.Struct):
    """A key as listed: never the key itself, its SHA-256 as `id` and its last characters."""

    id: str
    hint: str | None
    label: str | None
    created_at: float
    expires_at: float | None
    revoked_at: float | None
    active: bool


class ApiKeyList(msgspec.Struct):
    count: int
    api_keys: list[ApiKey]


class NewChannelKey(msgspec.Struct):
    address: str
    api_key: str
    app_id: str
    id: str
    previous_keys_valid_until: float


class RevokedKey(msgspec.Struct):
    revoked: str


class NewPartnerKey(msgspec.Struct):
    api_key: str
    previous_key_valid_until: float


Overlap = Annotated[
    float, msgspec.Meta(extra_json_schema={"minimum": 0, "maximum": MAX_OVERLAP_SECONDS})
]


class KeyRotation(msgspec.Struct, forbid_unknown_fields=True):
    """A key rotation's optional body: the overlap (checked with its own message) and label."""

    overlap_seconds: Overlap | None = None
    label: Annotated[str, msgspec.Meta(extra_json_schema={"maxLength": MAX_LABEL})] | None = None


# -- webhook deliveries ---------------------------------------------------------------------


class Delivery(msgspec.Struct):
    id: int
    target: Annotated[str, one_of("partner", "channel")]
    channel_id: str | None
    ordering_key: str | None
    state: Annotated[str, one_of("pending", "done", "failed")]
    attempts: int
    next_attempt_at: float | None
    created_at: float
    last_error: str | None
    payload: Any


class DeliveryList(msgspec.Struct):
    count: int
    deliveries: list[Delivery]


class Attempt(msgspec.Struct):
    at: float
    url: str
    status_code: int | None
    duration_ms: float
    response_excerpt: str | None
    error: str | None


class DeliveryAttempts(msgspec.Struct):
    delivery: Delivery
    attempts: list[Attempt]


class Replayed(msgspec.Struct):
    replayed: int


class ReplayFailed(msgspec.Struct, forbid_unknown_fields=True):
    since: float
    channel_id: str | None = None


class Endpoint(msgspec.Struct):
    url: str
    state: str
    consecutive_failures: int
    backing_off_until: float | None
    in_flight: int
    last_status: int | None


class Endpoints(msgspec.Struct):
    endpoints: list[Endpoint]


class SecretRotation(msgspec.Struct, forbid_unknown_fields=True):
    overlap_seconds: float = 86_400.0


class NewWebhookSecret(msgspec.Struct):
    webhook_secret: str
    previous_secret_valid_until: float


# -- spend ----------------------------------------------------------------------------------


class SpendUsage(msgspec.Struct):
    sent: int
    delivered: int
    read: int
    clicks: int
    spend: float
    cost_per_delivered: float | None = None
    cost_per_click: float | None = None


class ClientSpend(msgspec.Struct):
    business_id: str
    name: str
    currency: str
    total: SpendUsage
    mm_api: SpendUsage
    cloud_api: SpendUsage
    errors: list[str]


class Spend(msgspec.Struct):
    """`GET …/spend`: each client's spend as Meta reports it, MM API and Cloud API apart."""

    since: float
    until: float
    count: int
    clients: list[ClientSpend]
