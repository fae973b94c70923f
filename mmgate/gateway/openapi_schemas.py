"""The schemas of mmgate's OpenAPI document (`openapi.py` lays out the operations).

Written by hand after the code that emits each shape; `tests/integration/security/test_openapi.py`
holds the document and the app's routes together, and the fuzz test
(`tests/fuzz/`) checks every answer against these schemas.
"""

from __future__ import annotations

from typing import Any

import msgspec

from mmgate.gateway.openapi_wire import components
from mmgate.sdk import wire

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


def _graph_error() -> Schema:
    return obj(
        ["message", "type", "code", "fbtrace_id"],
        message=STRING,
        type=STRING,
        code=INTEGER,
        error_data=obj(["messaging_product", "details"], messaging_product=STRING, details=STRING),
        fbtrace_id=STRING,
    )


def _envelope_meta() -> Schema:
    return obj(
        ["developer_message", "http_code", "success", "360dialog_trace_id"],
        developer_message=STRING,
        http_code=INTEGER,
        success=BOOLEAN,
        **{"360dialog_trace_id": STRING},
    )


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


def _template_list() -> Schema:
    return obj(
        ["count", "filters", "limit", "offset", "sort", "total", "waba_templates"],
        count=INTEGER,
        filters={"type": "object"},
        limit=INTEGER,
        offset=INTEGER,
        sort={"type": "array", "items": STRING},
        total=INTEGER,
        waba_templates={"type": "array", "items": {"type": "object"}},
    )


def _partner() -> Schema:
    routing = obj(["enabled"], enabled=BOOLEAN)
    return obj(
        ["id", "name", "webhook_url", "onboarding_link", "settings"],
        id=STRING,
        name=STRING,
        webhook_url=nullable(STRING),
        onboarding_link=nullable(STRING),
        settings=obj(["marketing_templates_routing"], marketing_templates_routing=routing),
    )


def _clients() -> Schema:
    waba = obj(
        ["id", "name", "marketing_messages_onboarding_status"],
        id=STRING,
        name=STRING,
        marketing_messages_onboarding_status=nullable(STRING),
    )
    client = obj(
        ["business_id", "name", "wabas"],
        business_id=STRING,
        name=STRING,
        wabas={"type": "array", "items": waba},
    )
    return obj(["count", "clients"], count=INTEGER, clients={"type": "array", "items": client})


def _channels() -> Schema:
    channel = obj(
        ["id", "phone_number_id", "display_phone_number", "waba_id", "business_id", "webhook_url"],
        id=STRING,
        phone_number_id=STRING,
        display_phone_number=STRING,
        waba_id=STRING,
        business_id=STRING,
        webhook_url=nullable(STRING),
    )
    return obj(["count", "channels"], count=INTEGER, channels={"type": "array", "items": channel})


def _api_keys() -> dict[str, Schema]:
    key = obj(
        ["id", "hint", "label", "created_at", "expires_at", "revoked_at", "active"],
        id=STRING,
        hint=nullable(STRING),
        label=nullable(STRING),
        created_at=NUMBER,
        expires_at=nullable(NUMBER),
        revoked_at=nullable(NUMBER),
        active=BOOLEAN,
    )
    return {
        "ApiKeyList": obj(
            ["count", "api_keys"], count=INTEGER, api_keys={"type": "array", "items": key}
        ),
        "NewChannelKey": obj(
            ["address", "api_key", "app_id", "id", "previous_keys_valid_until"],
            address=STRING,
            api_key=STRING,
            app_id=STRING,
            id=STRING,
            previous_keys_valid_until=NUMBER,
        ),
        "RevokedKey": obj(["revoked"], revoked=STRING),
        "NewPartnerKey": obj(
            ["api_key", "previous_key_valid_until"], api_key=STRING, previous_key_valid_until=NUMBER
        ),
        "KeyRotation": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "overlap_seconds": {"type": "number", "minimum": 0, "maximum": 2_592_000},
                "label": {"type": "string", "maxLength": 60},
            },
        },
    }


def _deliveries() -> dict[str, Schema]:
    delivery = obj(
        [
            "id",
            "target",
            "channel_id",
            "ordering_key",
            "state",
            "attempts",
            "next_attempt_at",
            "created_at",
            "last_error",
            "payload",
        ],
        id=INTEGER,
        target={"type": "string", "enum": ["partner", "channel"]},
        channel_id=nullable(STRING),
        ordering_key=nullable(STRING),
        state={"type": "string", "enum": ["pending", "done", "failed"]},
        attempts=INTEGER,
        next_attempt_at=nullable(NUMBER),
        created_at=NUMBER,
        last_error=nullable(STRING),
        payload=ANY,
    )
    attempt = obj(
        ["at", "url", "status_code", "duration_ms", "response_excerpt", "error"],
        at=NUMBER,
        url=STRING,
        status_code=nullable(INTEGER),
        duration_ms=NUMBER,
        response_excerpt=nullable(STRING),
        error=nullable(STRING),
    )
    endpoint = obj(
        ["url", "state", "consecutive_failures", "backing_off_until", "in_flight", "last_status"],
        url=STRING,
        state=STRING,
        consecutive_failures=INTEGER,
        backing_off_until=nullable(NUMBER),
        in_flight=INTEGER,
        last_status=nullable(INTEGER),
    )
    return {
        "Delivery": delivery,
        "DeliveryList": obj(
            ["count", "deliveries"],
            count=INTEGER,
            deliveries={"type": "array", "items": ref("Delivery")},
        ),
        "DeliveryAttempts": obj(
            ["delivery", "attempts"],
            delivery=ref("Delivery"),
            attempts={"type": "array", "items": attempt},
        ),
        "Replayed": obj(["replayed"], replayed=INTEGER),
        "ReplayFailed": {
            "type": "object",
            "required": ["since"],
            "additionalProperties": False,
            "properties": {"since": NUMBER, "channel_id": nullable(STRING)},
        },
        "Endpoints": obj(["endpoints"], endpoints={"type": "array", "items": endpoint}),
        "SecretRotation": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"overlap_seconds": NUMBER},
        },
        "NewWebhookSecret": obj(
            ["webhook_secret", "previous_secret_valid_until"],
            webhook_secret=STRING,
            previous_secret_valid_until=NUMBER,
        ),
    }


# The schemas generated from wire structs (mmgate/sdk/wire*.py), by component name.
WIRE_ANSWERS: dict[str, type[msgspec.Struct]] = {
    "SendResponse": wire.SendResponse,
    "WebhookConfig": wire.WebhookConfig,
    "MessageStatus": wire.MessageInfo,
    "MessagePrice": wire.MessagePrice,
}
WIRE_REQUESTS: dict[str, type[msgspec.Struct]] = {"WebhookConfigRequest": wire.WebhookConfigRequest}


def schemas() -> dict[str, Schema]:
    return {
        **components(WIRE_ANSWERS, WIRE_REQUESTS),
        "GraphError": _graph_error(),
        "D360Error": obj(["detail"], detail=obj(["error"], error=ref("GraphError"))),
        "InvalidApiToken": obj(["error"], error={"type": "string", "enum": ["Invalid api token."]}),
        "EnvelopeMeta": _envelope_meta(),
        "EnvelopeError": obj(
            ["meta", "status_code", "data"],
            meta=ref("EnvelopeMeta"),
            status_code=INTEGER,
            data={"type": "object", "maxProperties": 0},
        ),
        "SendRequest": _send_request(),
        "TemplateList": _template_list(),
        "Partner": _partner(),
        "PartnerPatch": {
            "type": "object",
            "required": ["webhook_url"],
            "additionalProperties": False,
            "properties": {"webhook_url": nullable({"type": "string", "maxLength": 2048})},
        },
        "RoutingSettings": obj(
            ["marketing_templates_routing"],
            marketing_templates_routing=obj(["enabled"], enabled=BOOLEAN),
        ),
        "Routing": {
            "type": "object",
            "required": ["enabled"],
            "additionalProperties": False,
            "properties": {"enabled": BOOLEAN},
        },
        "OnboardingLink": obj(["url"], url=nullable(STRING)),
        "Clients": _clients(),
        "Channels": _channels(),
        **_api_keys(),
        **_deliveries(),
    }
