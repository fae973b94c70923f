"""Wire shapes declared once: the server decodes and answers with them, the SDK sends and reads
them, and the OpenAPI document is generated from them (mmgate/gateway/openapi_wire.py says how
a struct becomes a schema: which fields are required, which may be null).

They live in the SDK because the SDK installs without the server; the server imports them.
This module holds the Messaging API's shapes; `wire_partner.py` the Partner API's. Answers are
read tolerantly by the SDK: unknown fields are ignored, and a field marked `Filled` that another
360dialog-compatible host (or an older mmgate) leaves out reads as None.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

import msgspec
from msgspec import UNSET, UnsetType

MAX_URL = 2048
# 360dialog's documented body for a missing or wrong D360-API-KEY.
INVALID_API_TOKEN: Final = "Invalid api token."

# An answer field mmgate always fills in (required and never null in the document), that the
# SDK still reads as None when another host leaves it out.
Filled = msgspec.Meta(extra={"filled": True})
FilledStr = Annotated[str | None, Filled]
FilledFloat = Annotated[float | None, Filled]
# A string the SDK reads whatever its value, that mmgate documents (and writes) as "accepted".
ACCEPTED = msgspec.Meta(extra_json_schema={"enum": ["accepted"]})


class InvalidApiToken(msgspec.Struct):
    """360dialog's answer to a missing or wrong key (its own shape, not Meta's)."""

    error: Literal["Invalid api token."] = INVALID_API_TOKEN


class ChaosConfig(msgspec.Struct, forbid_unknown_fields=True):
    """Opt-in receiver testing aid (an mmgate extension): duplicate and reorder deliveries."""

    duplicates: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)] = 0.0  # a probability
    out_of_order: bool = False


class WebhookConfigRequest(msgspec.Struct, omit_defaults=True):
    """`POST /v1/configs/webhook`: a channel's webhook URL (None removes it), extra headers."""

    url: Annotated[str, msgspec.Meta(max_length=MAX_URL)] | None
    headers: dict[str, str] = {}
    chaos: ChaosConfig | None = None


class WebhookConfig(msgspec.Struct):
    """What `/v1/configs/webhook` answers: the channel's webhook as stored."""

    url: str | None
    headers: dict[str, str] = {}
    chaos: ChaosConfig | msgspec.UnsetType = msgspec.UNSET  # present when switched on


class TemplateList(msgspec.Struct):
    """`GET /v1/configs/templates`: 360dialog's list around Meta's template objects."""

    count: int
    filters: dict[str, Any]
    limit: int
    offset: int
    sort: list[str]
    total: int
    waba_templates: list[dict[str, Any]]


# -- the send request (`POST /messages`, `POST /marketing_messages`) --------------------
# What a client should send, as 360dialog and Meta document it: the SDK's messages are these
# structs (`TemplateMessage`, `TextMessage` in _models.py fix `type`) and the OpenAPI schema is
# generated from them. A field left out is UNSET (never written, never documented as null).
# The server decodes more loosely (mmgate/domain/payloads.py: any `type` /messages forwards,
# lowercase policies, numbers as strings) so that `validate_send` answers Meta's own error
# codes, not msgspec's; tests/unit/test_send_wire.py holds the two declarations together.

MAX_TEMPLATE_NAME = 512
MAX_TEXT_BODY = 4096
# Meta allows 512 characters; mmgate keeps 96 for the wamid it carries inside (design §1.1).
MAX_CALLBACK_DATA = 416
MAX_BID_MULTIPLIER = 100.0  # Meta: "a positive multiplier" (default 1); the cap is mmgate's
MAX_TO = 32  # a phone number in international format, with the separators people type


class Language(msgspec.Struct, frozen=True):
    code: str
    # 360dialog marks the policy required; "deterministic" is the only value.
    policy: Literal["deterministic"] = "deterministic"


class Component(msgspec.Struct, omit_defaults=True):
    """One template component (Cloud API format), e.g. a body with its parameters."""

    type: str
    parameters: list[dict[str, Any]] = []
    sub_type: str | UnsetType = UNSET
    index: int | str | UnsetType = UNSET  # a button's position; Meta's samples quote it

    @classmethod
    def body(cls, *texts: str) -> Component:
        return cls("body", [{"type": "text", "text": text} for text in texts])

    @classmethod
    def url_button(cls, suffix: str, index: int = 0) -> Component:
        """The dynamic suffix of the URL button at `index` (fills its `{{1}}`)."""
        return cls("button", [{"type": "text", "text": suffix}], sub_type="url", index=index)


class Template(msgspec.Struct, omit_defaults=True):
    name: Annotated[str, msgspec.Meta(max_length=MAX_TEMPLATE_NAME)]
    language: Language
    components: list[Component] = []


class Text(msgspec.Struct, omit_defaults=True):
    body: Annotated[str, msgspec.Meta(max_length=MAX_TEXT_BODY)]
    preview_url: bool = False


ProductPolicy = Literal["CLOUD_API_FALLBACK", "STRICT"]  # the first is the default
CallbackData = Annotated[str, msgspec.Meta(max_length=MAX_CALLBACK_DATA)]
# Meta's sample quotes the multiplier as a string.
Multiplier = Annotated[float, msgspec.Meta(gt=0.0, le=MAX_BID_MULTIPLIER)] | str


class BidSpec(msgspec.Struct):
    """Max price for one send (MM API only): the template's `bid_amount` times this (default 1)."""

    per_message_bid_multiplier: Multiplier | UnsetType = UNSET


class SendRequest(msgspec.Struct, kw_only=True):
    """A send's body: a template (either entry point) or a text (`/messages` only)."""

    messaging_product: Literal["whatsapp"]
    recipient_type: Literal["individual"] = "individual"
    to: Annotated[str, msgspec.Meta(max_length=MAX_TO)]
    type: Literal["template", "text"]
    template: Template | UnsetType = UNSET
    text: Text | UnsetType = UNSET
    message_activity_sharing: bool | UnsetType = UNSET
    product_policy: ProductPolicy | UnsetType = UNSET
    message_send_ttl_seconds: int | str | UnsetType = UNSET  # Meta's sample quotes it
    biz_opaque_callback_data: CallbackData | UnsetType = UNSET
    bid_spec: BidSpec | UnsetType = UNSET


# -- the send answer (`POST /messages`, `POST /marketing_messages`) ---------------------


class Contact(msgspec.Struct, omit_defaults=True):
    input: str
    wa_id: FilledStr = None
    user_id: str | None = None  # Meta's answer to a send by business-scoped user id


class SentMessage(msgspec.Struct, omit_defaults=True):
    id: str
    # mmgate: "accepted" for a template; Meta may also say "held_for_quality_assessment".
    message_status: Annotated[str, ACCEPTED] | None = None


class SendResponse(msgspec.Struct, kw_only=True):
    """The Cloud API send answer; `wamid` is the id every status webhook carries."""

    messaging_product: str = "whatsapp"
    contacts: list[Contact]
    messages: list[SentMessage]

    @classmethod
    def accepted(cls, to: str, wa_id: str, wamid: str, *, template: bool) -> SendResponse:
        """mmgate's answer to an accepted send: a template's message says "accepted"."""
        status = "accepted" if template else None
        return cls(contacts=[Contact(to, wa_id)], messages=[SentMessage(wamid, status)])

    @property
    def wamid(self) -> str:
        return self.messages[0].id


# -- one message (`GET /v1/messages/{wamid}`, mmgate's own) -----------------------------


class MessageEvent(msgspec.Struct):
    status: str
    at: float
    detail: str | None = None


class MessagePrice(msgspec.Struct):
    """A message's price (docs/max-price.md): per 1,000 deliveries in the currency's
    smallest unit, and `charge_at_most` for this message in currency units."""

    currency: str
    country: str
    pricing_category: str
    list_price: int
    bid_amount: int | None = None
    bid_multiplier: float | None = None
    max_price: int | None = None
    charge_at_most: float = 0.0


class MessageInfo(msgspec.Struct, kw_only=True):
    """mmgate's view of one message (`GET /v1/messages/{wamid}`): status, routes, timeline."""

    wamid: str
    recipient: FilledStr = None
    entry_point: FilledStr = None
    type: FilledStr = None
    template_name: str | None = None
    category: str | None = None
    route_requested: FilledStr = None  # mm_api | cloud_api
    route_taken: str | None = None  # learnt from the first status webhook's pricing.category
    status: str
    ttl_seconds: Annotated[int | None, Filled] = None
    expires_at: FilledFloat = None
    error: str | None = None
    created_at: FilledFloat = None
    events: list[MessageEvent] = []
    price: Annotated[MessagePrice | None, Filled] = None

    @property
    def statuses_reached(self) -> frozenset[str]:
        return frozenset({self.status, *(event.status for event in self.events)})
