"""The server's decoder of the send request, and its structural validation.

The documented shape is declared once, in the SDK (`wire.SendRequest`: the OpenAPI document is
generated from it and the SDK sends it). This decoder has the same fields but looser types, on
purpose: msgspec enforces a struct's enums and lengths while decoding and would answer with
its own message, where `validate_send` answers Meta's codes (100, 131009, 131051, 131062). So
any `type` decodes (/messages forwards other Cloud API types; an unknown one is 131051), as do
`recipient` (a business-scoped user id), lowercase policies and null for an absent field.
tests/unit/test_send_wire.py holds the two declarations together.

Decoding is done by msgspec straight from bytes (type errors carry the JSON path);
the rules msgspec cannot express live in `validate_send`. Unknown fields are
ignored, as the Cloud API does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import msgspec

from mmgate.domain.bids import BidSpec
from mmgate.domain.digits import ascii_digits
from mmgate.domain.json_limits import MAX_DEPTH, too_deep
from mmgate.errors import GraphError
from mmgate.sdk import wire

# The limits the wire struct documents (mmgate/sdk/wire.py), enforced here with Meta's codes.
MAX_TEMPLATE_NAME = wire.MAX_TEMPLATE_NAME
MAX_TEXT_BODY = wire.MAX_TEXT_BODY
MAX_CALLBACK_DATA = 512  # Meta's
# Our wamid travels inside biz_opaque_callback_data (design §1.1); keep room for it (96).
CALLBACK_DATA_RESERVED = MAX_CALLBACK_DATA - wire.MAX_CALLBACK_DATA

_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


class EntryPoint(StrEnum):
    MESSAGES = "messages"
    MARKETING_MESSAGES = "marketing_messages"


class ProductPolicy(StrEnum):
    CLOUD_API_FALLBACK = "CLOUD_API_FALLBACK"
    STRICT = "STRICT"


class Language(msgspec.Struct):
    code: str
    policy: str | None = None


class Component(msgspec.Struct):
    type: str
    sub_type: str | None = None
    index: int | str | None = None
    parameters: list[dict[str, Any]] = []


class Template(msgspec.Struct):
    name: str
    language: Language
    components: list[Component] | None = None


class Text(msgspec.Struct):
    body: str
    preview_url: bool = False


class SendRequest(msgspec.Struct):
    messaging_product: str
    to: str | None = None
    recipient: str | None = None
    recipient_type: str = "individual"
    type: str = "text"
    template: Template | None = None
    text: Text | None = None
    message_activity_sharing: bool | None = None
    product_policy: str | None = None
    message_send_ttl_seconds: int | str | None = None
    biz_opaque_callback_data: str | None = None
    bid_spec: BidSpec | None = None  # max price: per_message_bid_multiplier (domain/bids)


_decoder = msgspec.json.Decoder(SendRequest)

# Cloud API message types /messages forwards unchanged (their object is checked to exist).
PASS_THROUGH_TYPES = frozenset(
    {
        "image",
        "video",
        "audio",
        "document",
        "sticker",
        "location",
        "contacts",
        "interactive",
        "reaction",
    }
)
_COMPONENT_TYPES = frozenset(
    {"header", "body", "button", "footer", "carousel", "limited_time_offer", "order_status"}
)


@dataclass(frozen=True, slots=True)
class ValidSend:
    """A structurally valid send, with normalised values."""

    request: SendRequest
    raw: dict[str, Any] | None
    wa_id: str
    product_policy: ProductPolicy
    ttl_seconds: int | None


def decode_send(body: bytes) -> SendRequest:
    if not body.strip():
        raise GraphError(100, "The request body is empty; a JSON object is expected.")
    if too_deep(body, MAX_DEPTH):
        raise GraphError(100, f"The request body nests deeper than {MAX_DEPTH} levels.")
    try:
        return _decoder.decode(body)
    except msgspec.ValidationError as exc:
        raise GraphError(100, _describe(str(exc))) from None
    except msgspec.DecodeError:
        raise GraphError(100, "The request body is not valid JSON.") from None
    except RecursionError:  # msgspec's own nesting limit
        raise GraphError(100, "The request body nests too deeply.") from None


def _describe(msgspec_message: str) -> str:
    # msgspec says e.g. "Expected `str`, got `int` - at `$.template.name`".
    return msgspec_message.replace("$.", "").replace(" - at ", " at ")


def normalise_phone(to: str) -> str:
    digits = _PHONE_SEPARATORS.sub("", to.strip())
    if digits.startswith("+"):
        digits = digits[1:]
    if not ascii_digits(digits) or not 7 <= len(digits) <= 15 or digits.startswith("0"):
        raise GraphError(
            100,
            f"Invalid parameter 'to': '{to}' is not a phone number in international format "
            "(country code and number, digits only, e.g. 441234567890).",
        )
    return digits


def validate_send(request: SendRequest, entry_point: EntryPoint) -> ValidSend:
    if request.messaging_product != "whatsapp":
        raise GraphError(100, "The parameter messaging_product must be 'whatsapp'.")
    if request.to is None:
        if request.recipient is not None and request.bid_spec is not None:
            raise GraphError(131062)  # a max price cannot go to a business-scoped user id
        raise GraphError(100, message="The parameter to is required.", with_error_data=False)
    if request.recipient_type != "individual":
        raise GraphError(100, "The parameter recipient_type must be 'individual'.")
    wa_id = normalise_phone(request.to)
    if entry_point is EntryPoint.MARKETING_MESSAGES and request.type != "template":
        raise GraphError(100, "Message must be a template message.")
    _validate_content(request)
    return ValidSend(
        request=request,
        raw=None,
        wa_id=wa_id,
        product_policy=_product_policy(request.product_policy),
        ttl_seconds=_ttl(request.message_send_ttl_seconds),
    )


def _validate_content(request: SendRequest) -> None:
    if request.type == "template":
        if request.template is None:
            raise GraphError(100, "The parameter template is required for type 'template'.")
        _validate_template(request.template)
    elif request.type == "text":
        if request.text is None:
            raise GraphError(100, "The parameter text is required for type 'text'.")
        if not request.text.body or len(request.text.body) > MAX_TEXT_BODY:
            raise GraphError(100, f"text.body must be 1 to {MAX_TEXT_BODY} characters.")
    elif request.type not in PASS_THROUGH_TYPES:
        raise GraphError(131051, f"Message type '{request.type}' is not supported.")
    callback = request.biz_opaque_callback_data
    if callback is not None and len(callback) > MAX_CALLBACK_DATA - CALLBACK_DATA_RESERVED:
        raise GraphError(
            100,
            "biz_opaque_callback_data may be at most "
            f"{MAX_CALLBACK_DATA - CALLBACK_DATA_RESERVED} characters through mmgate.",
        )


def _validate_template(template: Template) -> None:
    if not template.name or len(template.name) > MAX_TEMPLATE_NAME:
        raise GraphError(100, f"template.name must be 1 to {MAX_TEMPLATE_NAME} characters.")
    if not _LANGUAGE.match(template.language.code):
        raise GraphError(100, f"template.language.code '{template.language.code}' is not valid.")
    policy = template.language.policy
    if policy is not None and policy != "deterministic":
        raise GraphError(100, "template.language.policy must be 'deterministic'.")
    for component in template.components or ():
        if component.type not in _COMPONENT_TYPES:
            raise GraphError(100, f"Unknown template component type '{component.type}'.")
        if component.type == "button" and (component.sub_type is None or component.index is None):
            raise GraphError(100, "A button component needs 'sub_type' and 'index'.")
        if isinstance(component.index, str) and not (
            ascii_digits(component.index) and len(component.index) <= 3
        ):
            raise GraphError(100, "A button component's 'index' must be a number.")
        for parameter in component.parameters:
            if not isinstance(parameter.get("type"), str):
                raise GraphError(100, f"Every {component.type} parameter needs a 'type'.")
            _check_text_parameter(parameter)


def _check_text_parameter(parameter: dict[str, Any]) -> None:
    """A text parameter must say something: an empty one rendered "Hi , …" (Meta refuses it
    with 131009 as well)."""
    if parameter.get("type") != "text":
        return
    text = parameter.get("text")
    if not isinstance(text, str) or not text.strip():
        raise GraphError(131009, "A text parameter's 'text' must be a non-empty string.")


def _product_policy(value: str | None) -> ProductPolicy:
    if value is None:
        return ProductPolicy.CLOUD_API_FALLBACK
    try:
        # Documented uppercase; one known client sends lowercase, which we accept.
        return ProductPolicy(value.upper())
    except ValueError:
        raise GraphError(100, "product_policy must be 'CLOUD_API_FALLBACK' or 'STRICT'.") from None


def _ttl(value: int | str | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        # Meta's own example sends it as a string ("120").
        text = value.strip()
        if not ascii_digits(text.removeprefix("-")) or len(text) > 20:
            raise GraphError(100, "message_send_ttl_seconds must be an integer number of seconds.")
        return int(text)
    return value


def body_parameter_count(template: Template) -> int:
    return sum(len(c.parameters) for c in template.components or () if c.type == "body")


def button_parameters(template: Template) -> dict[int, int]:
    """Parameters given per button index."""
    found: dict[int, int] = {}
    for component in template.components or ():
        if component.type == "button" and component.index is not None:
            found[int(component.index)] = len(component.parameters)
    return found
