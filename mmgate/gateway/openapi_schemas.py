"""The schemas of mmgate's OpenAPI document (`openapi.py` lays out the operations).

Every schema is generated from the wire structs the server answers with and the SDK sends
and reads (openapi_wire.py says how). The send request (`wire.SendRequest`) documents what a
client should send, while mmgate/domain/payloads.py decodes leniently on the hot path (to
answer Meta's own error codes) and forwards other Cloud API message types;
tests/unit/test_send_wire.py holds that decoder and the wire struct together.
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


STRING: Schema = {"type": "string"}


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
    "SendRequest": wire.SendRequest,
    "BidSpec": wire.BidSpec,  # the send's max price (docs/max-price.md)
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
    return components(WIRE_ANSWERS, WIRE_REQUESTS)
