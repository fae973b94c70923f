"""Receiving mmgate's webhooks: verify the signature on the raw body, then parse.

    verify_signature(secret, raw_body, request.headers)   # raises WebhookSignatureError
    for event in parse_webhook(raw_body):
        if isinstance(event, StatusEvent): ...

Parsing is tolerant, as Meta's payloads change under receivers: unknown fields
are ignored, unknown enum values are kept as plain strings, timestamps may be
strings or numbers, and every event keeps the dict it was read from in `raw`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from enum import StrEnum
from typing import Any, TypeVar

import msgspec

from mmgate import signing
from mmgate.sdk._errors import MmgateError, WebhookSignatureError

E = TypeVar("E", bound=StrEnum)


class MessageStatus(StrEnum):
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    PLAYED = "played"


class PricingCategory(StrEnum):
    MARKETING = "marketing"
    MARKETING_LITE = "marketing_lite"  # sent via MM API
    UTILITY = "utility"
    AUTHENTICATION = "authentication"
    AUTHENTICATION_INTERNATIONAL = "authentication-international"
    SERVICE = "service"
    REFERRAL_CONVERSION = "referral_conversion"


class ClickComponent(StrEnum):
    CTA = "cta"
    BODY = "body"


class WebhookError(msgspec.Struct, frozen=True):
    """An error inside a `failed` status (Meta's webhook error object)."""

    code: int | None
    title: str | None
    message: str | None
    details: str | None
    href: str | None


class Pricing(msgspec.Struct, frozen=True):
    category: PricingCategory | str | None
    billable: bool | None
    pricing_model: str | None
    type: str | None


class Conversation(msgspec.Struct, frozen=True):
    id: str | None
    origin_type: str | None
    expiration_timestamp: int | None


class StatusEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of `statuses[]`: sent, delivered, read or failed for one wamid."""

    id: str
    status: MessageStatus | str
    timestamp: int | None
    recipient_id: str | None
    pricing: Pricing | None
    conversation: Conversation | None
    errors: list[WebhookError]
    biz_opaque_callback_data: str | None
    phone_number_id: str | None
    display_phone_number: str | None
    waba_id: str | None
    raw: dict[str, Any]

    @property
    def pricing_category(self) -> PricingCategory | str | None:
        return self.pricing.category if self.pricing is not None else None

    @property
    def route(self) -> str | None:
        """ "mm_api" or "cloud_api", as `pricing.category` reveals it; None when absent."""
        category = self.pricing_category
        if category is None:
            return None
        return "mm_api" if category == PricingCategory.MARKETING_LITE else "cloud_api"


class ClickEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of `user_actions[]`; by design it names no wamid and no phone number."""

    action_type: str  # marketing_messages_link_click (or newer kinds, kept as strings)
    timestamp: int | None
    click_component: ClickComponent | str | None
    product_id: str | None
    click_id: str | None
    tracking_token: str | None
    phone_number_id: str | None
    display_phone_number: str | None
    waba_id: str | None
    raw: dict[str, Any]


class AccountUpdateEvent(msgspec.Struct, frozen=True, kw_only=True):
    """`account_update`, e.g. MM_LITE_TERMS_SIGNED once per onboarded WABA."""

    event: str
    waba_id: str | None
    owner_business_id: str | None
    entry_id: str | None  # the partner's business id for MM_LITE_TERMS_SIGNED, not the WABA
    time: int | None
    raw: dict[str, Any]


class OtherEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A change this parser does not model (inbound messages, template updates, …)."""

    field: str | None
    raw: dict[str, Any]


WebhookEvent = StatusEvent | ClickEvent | AccountUpdateEvent | OtherEvent


def verify_signature(
    secret: str,
    raw_body: bytes,
    headers: Mapping[str, str],
    *,
    tolerance: float = 300,
    now: float | None = None,
) -> None:
    """Check `X-Mmgate-Signature-256` over the raw body and that `X-Mmgate-Timestamp` is
    within `tolerance` seconds of `now`; raise `WebhookSignatureError` otherwise.

    Pass the body exactly as received, before any JSON parsing. During a secret
    rotation the header may carry several signatures; any valid one is enough.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    timestamp = _timestamp(lowered.get(signing.MMGATE_TIMESTAMP_HEADER))
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookSignatureError(
            f"X-Mmgate-Timestamp is {abs(current - timestamp):.0f} s from now "
            f"(tolerance {tolerance:.0f} s): a replayed or delayed request, or a skewed clock"
        )
    header = lowered.get(signing.MMGATE_SIGNATURE_HEADER)
    if not header:
        raise WebhookSignatureError("missing X-Mmgate-Signature-256 header")
    candidates = header.replace(",", " ").split()
    if not any(
        signing.verify_delivery(secret, timestamp, raw_body, c, now=current, tolerance=tolerance)
        for c in candidates
    ):
        raise WebhookSignatureError(
            "X-Mmgate-Signature-256 does not match: wrong secret, or the body was changed"
        )


def _timestamp(value: str | None) -> int:
    if not value:
        raise WebhookSignatureError("missing X-Mmgate-Timestamp header")
    try:
        return int(value.strip())
    except ValueError:
        raise WebhookSignatureError(f"X-Mmgate-Timestamp is not a number: {value!r}") from None


def parse_webhook(raw_body: bytes | str | Mapping[str, Any]) -> list[WebhookEvent]:
    """Every event in one webhook body (Meta's `object`/`entry`/`changes` shape)."""
    events: list[WebhookEvent] = []
    for entry, change in _entry_changes(_decode(raw_body)):
        events += _events_of(entry, change)
    return events


class Change(msgspec.Struct, frozen=True, kw_only=True):
    """One `entry[].changes[]` of a Meta webhook whose `value` is an object, with its entry."""

    entry: dict[str, Any]
    field: str | None
    value: dict[str, Any]

    @property
    def entry_id(self) -> str:
        return _str(self.entry.get("id")) or ""

    @property
    def time(self) -> int | None:
        return _int(self.entry.get("time"))


def changes(body: Any) -> Iterator[Change]:
    """The one walk of Meta's webhook envelope, for the gateway's receiver as for clients:
    anything that is not the documented shape (a list that is not a list, a value that is
    not an object) is skipped, never an error."""
    if isinstance(body, Mapping):
        for entry, change in _entry_changes(body):
            value = change.get("value")
            if isinstance(value, dict):
                yield Change(entry=entry, field=_str(change.get("field")), value=value)


def _entry_changes(body: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for entry in _dicts(body.get("entry")):
        for change in _dicts(entry.get("changes")):
            yield entry, change


def _decode(raw_body: bytes | str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(raw_body, Mapping):
        return raw_body
    try:
        body = msgspec.json.decode(raw_body)
    except msgspec.DecodeError as exc:
        raise MmgateError(f"webhook body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise MmgateError("webhook body is not a JSON object")
    return body


def _events_of(entry: Mapping[str, Any], change: Mapping[str, Any]) -> list[WebhookEvent]:
    field = _str(change.get("field"))
    value = change.get("value")
    if not isinstance(value, dict):
        return [OtherEvent(field=field, raw=dict(change))]
    if field == "account_update":
        return [_account_update(entry, value)]
    events: list[WebhookEvent] = []
    if field in ("messages", None):
        events += [_status(entry, value, s) for s in _dicts(value.get("statuses")) if "id" in s]
        events += [_click(entry, value, a) for a in _dicts(value.get("user_actions"))]
    return events or [OtherEvent(field=field, raw=value)]


def _status(entry: Mapping[str, Any], value: Mapping[str, Any], s: dict[str, Any]) -> StatusEvent:
    metadata = _dict(value.get("metadata"))
    return StatusEvent(
        id=str(s["id"]),
        status=_enum(MessageStatus, s.get("status")) or "",
        timestamp=_int(s.get("timestamp")),
        recipient_id=_str(s.get("recipient_id")),
        pricing=_pricing(s.get("pricing")),
        conversation=_conversation(s.get("conversation")),
        errors=[_error(e) for e in _dicts(s.get("errors"))],
        biz_opaque_callback_data=_str(s.get("biz_opaque_callback_data")),
        phone_number_id=_str(metadata.get("phone_number_id")),
        display_phone_number=_str(metadata.get("display_phone_number")),
        waba_id=_str(entry.get("id")),
        raw=s,
    )


def _click(entry: Mapping[str, Any], value: Mapping[str, Any], a: dict[str, Any]) -> ClickEvent:
    metadata = _dict(value.get("metadata"))
    data = _dict(a.get("marketing_messages_link_click_data"))
    component = _str(data.get("click_component"))
    return ClickEvent(
        action_type=_str(a.get("action_type")) or "",
        timestamp=_int(a.get("timestamp")),
        # Documented lowercase, seen uppercase in the wild ("CTA"): compare without case.
        click_component=_enum(ClickComponent, component.lower()) if component else None,
        product_id=_str(data.get("product_id")),
        click_id=_str(data.get("click_id")),
        tracking_token=_str(data.get("tracking_token")),
        phone_number_id=_str(metadata.get("phone_number_id")),
        display_phone_number=_str(metadata.get("display_phone_number")),
        waba_id=_str(entry.get("id")),
        raw=a,
    )


def _account_update(entry: Mapping[str, Any], value: dict[str, Any]) -> AccountUpdateEvent:
    waba_info = _dict(value.get("waba_info"))
    return AccountUpdateEvent(
        event=_str(value.get("event")) or "",
        waba_id=_str(waba_info.get("waba_id")),
        owner_business_id=_str(waba_info.get("owner_business_id")),
        entry_id=_str(entry.get("id")),
        time=_int(entry.get("time")),
        raw=value,
    )


def _pricing(value: Any) -> Pricing | None:
    if not isinstance(value, dict):
        return None
    billable = value.get("billable")
    return Pricing(
        category=_enum(PricingCategory, value.get("category")),
        billable=billable if isinstance(billable, bool) else None,
        pricing_model=_str(value.get("pricing_model")),
        type=_str(value.get("type")),
    )


def _conversation(value: Any) -> Conversation | None:
    if not isinstance(value, dict):
        return None
    return Conversation(
        id=_str(value.get("id")),
        origin_type=_str(_dict(value.get("origin")).get("type")),
        expiration_timestamp=_int(value.get("expiration_timestamp")),
    )


def _error(value: dict[str, Any]) -> WebhookError:
    return WebhookError(
        code=_int(value.get("code")),
        title=_str(value.get("title")),
        message=_str(value.get("message")),
        details=_str(_dict(value.get("error_data")).get("details")),
        href=_str(value.get("href")),
    )


def _enum(kind: type[E], value: Any) -> E | str | None:
    if not isinstance(value, str):
        return None
    try:
        return kind(value)
    except ValueError:
        return value  # a value Meta added after this SDK: kept, not refused


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, float):
        return int(value)
    return None


def _str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # ids sometimes arrive as numbers
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))
