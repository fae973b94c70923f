"""The schemas of mmgate's OpenAPI document (`openapi.py` lays out the operations).

Generated from the wire structs the server answers with and the SDK reads (openapi_wire.py
says how), except the one still written by hand: the send request, which documents what a
client should send while mmgate/domain/payloads.py decodes leniently on the hot path (to
answer Meta's own error codes) and forwards other Cloud API message types.
`tests/integration/security/test_openapi.py` holds the document and the app's routes
together, and the fuzz test (`tests/fuzz/`) checks every answer against these schemas.
"""

from __future__ import annotations

from typing import Any

import msgspec

from mmgate import errors
from mmgate.gateway.openapi_wire import components
from mmgate.sdk import wire
from mmgate.sdk import wire_partner as partner

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    return {**schema, "nullable": True}


def obj(required: list[str], **properties: Schema) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:  # OpenAPI 3.0: `required` lists at least one name
        schema["required"] = required
    return schema


STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
NUMBER: Schema = {"type": "number"}
BOOLEAN: Schema = {"type": "boolean"}
ANY: Schema = {}


def _send_request() -> Schema:
    language = obj(["code"], code=STRING, policy={"type": "string", "enum": ["deterministic"]})
    component = obj(
        ["type"],
        type=STRING,
        sub_type=STRING,
        index={"oneOf": [INTEGER, STRING]},
        parameters={"type": "array", "items": {"type": "object"}},
    )
    template = obj(
        ["name", "language"],
        name={"type": "string", "maxLength": 512},
        language=language,
        components={"type": "array", "items": component},
    )
    return obj(
        ["messaging_product", "to", "type"],
        messaging_product={"type": "string", "enum": ["whatsapp"]},
        recipient_type={"type": "string", "enum": ["individual"]},
        to={"type": "string", "maxLength": 32},
        type={"type": "string", "enum": ["template", "text"]},
        template=template,
        text=obj(["body"], body={"type": "string", "maxLength": 4096}, preview_url=BOOLEAN),
        message_activity_sharing=BOOLEAN,
        product_policy={"type": "string", "enum": ["CLOUD_API_FALLBACK", "STRICT"]},
        message_send_ttl_seconds={"oneOf": [INTEGER, STRING]},
        biz_opaque_callback_data={"type": "string", "maxLength": 416},
    )


# The schemas generated from wire structs (mmgate/sdk/wire*.py, mmgate/errors.py), by name.
WIRE_ANSWERS: dict[str, type[msgspec.Struct]] = {
    "GraphError": errors.ErrorObject,
    "D360Error": errors.D360ErrorAnswer,
    "InvalidApiToken": wire.InvalidApiToken,
    "EnvelopeMeta": partner.EnvelopeMeta,
    "EnvelopeError": partner.EnvelopeError,
    "SendResponse": wire.SendResponse,
    "WebhookConfig": wire.WebhookConfig,
    "TemplateList": wire.TemplateList,
    "MessageStatus": wire.MessageInfo,
    "MessagePrice": wire.MessagePrice,
    "Partner": partner.Partner,
    "RoutingSettings": partner.PartnerSettings,
    "OnboardingLink": partner.OnboardingLink,
    "Clients": partner.Clients,
    "Channels": partner.Channels,
    "ApiKeyList": partner.ApiKeyList,
    "NewChannelKey": partner.NewChannelKey,
    "RevokedKey": partner.RevokedKey,
    "NewPartnerKey": partner.NewPartnerKey,
    "Delivery": partner.Delivery,
    "DeliveryList": partner.DeliveryList,
    "DeliveryAttempts": partner.DeliveryAttempts,
    "Replayed": partner.Replayed,
    "Endpoints": partner.Endpoints,
    "NewWebhookSecret": partner.NewWebhookSecret,
    "SpendUsage": partner.SpendUsage,
    "Spend": partner.Spend,
}
WIRE_REQUESTS: dict[str, type[msgspec.Struct]] = {
    "WebhookConfigRequest": wire.WebhookConfigRequest,
    "PartnerPatch": partner.PartnerPatch,
    "Routing": partner.RoutingPatch,
    "KeyRotation": partner.KeyRotation,
    "ReplayFailed": partner.ReplayFailed,
    "SecretRotation": partner.SecretRotation,
}


def wire_names() -> dict[type, str]:
    """Each registered wire struct's component name, for a schema that refers to it."""
    return {kind: name for name, kind in {**WIRE_ANSWERS, **WIRE_REQUESTS}.items()}


def schemas() -> dict[str, Schema]:
    return {
        **components(WIRE_ANSWERS, WIRE_REQUESTS),
        "SendRequest": _send_request(),
    }
