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
