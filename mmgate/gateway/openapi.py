"""mmgate's own OpenAPI document: the Messaging API (360dialog's shape, `D360-API-KEY`)
and the Partner API (`X-API-Key`, 360dialog's envelope), served at `GET /openapi.json`
and committed as `docs/openapi.json` (`python -m mmgate.gateway.openapi > docs/openapi.json`).

The browser pages (Hub, onboarding) and the emulator (Meta's side) are not in it.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.gateway import openapi_spend
from mmgate.gateway.openapi_schemas import STRING, Schema, ref, schemas, wire_names
from mmgate.gateway.openapi_wire import openapi_schema
from mmgate.sdk.wire_partner import Envelope

PARTNER = "/api/v2/partners/{partner_id}"
JSON = "application/json"


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _text(description: str) -> Schema:
    return {"description": description, "content": {"text/plain": {"schema": STRING}}}


def _d360(*statuses: int) -> dict[str, Schema]:
    """The Messaging API's errors: Meta's error object in 360dialog's `detail` wrapper;
    a missing or wrong key gets 360dialog's `{"error": "Invalid api token."}`."""
    answers = {
        "401": _json({"anyOf": [ref("InvalidApiToken"), ref("D360Error")]}, "Missing or wrong key.")
    }
    for status in statuses:
        answers[str(status)] = _json(ref("D360Error"), "Error (Graph code in detail.error).")
    return answers


def _envelope(data: Schema) -> Schema:
    """The Partner API's envelope (wire_partner.Envelope) around one answer's `data`."""
    schema = openapi_schema(Envelope, answer=True, names=wire_names())
    schema["properties"]["data"] = data
    return schema


def _partner_errors(*statuses: int) -> dict[str, Schema]:
    """401 wrong key, 403 another partner's id, 429 a limit (with Retry-After)."""
    answers = {}
    for status in (401, 403, 429, *statuses):
        answers[str(status)] = _json(ref("EnvelopeError"), "Error in the envelope.")
    return answers


def _partner_op(
    summary: str,
    data: str,
    *,
    body: str | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
) -> Schema:
    op: Schema = {
        "summary": summary,
        "tags": ["Partner API"],
        "security": [{"PartnerKey": []}],
        "responses": {str(status): _json(_envelope(ref(data)), "OK"), **_partner_errors(*errors)},
    }
    if body is not None:
        op["requestBody"] = {"required": True, "content": {JSON: {"schema": ref(body)}}}
        op["responses"].update(_partner_errors(400, 413))
    return op


def _path_param(name: str, schema: Schema = STRING) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _messaging_paths() -> dict[str, Schema]:
    send_errors = _d360(400, 403, 404, 413, 422, 429, 500, 502)
    send: Schema = {
        "tags": ["Messaging API"],
        "security": [{"ChannelKey": []}],
        "parameters": [
            {"name": "Idempotency-Key", "in": "header", "required": False, "schema": STRING}
        ],
        "requestBody": {"required": True, "content": {JSON: {"schema": ref("SendRequest")}}},
        "responses": {"200": _json(ref("SendResponse"), "Accepted."), **send_errors},
    }
    channel = {"tags": ["Messaging API"], "security": [{"ChannelKey": []}]}
    return {
        "/messages": {"post": {**send, "summary": "Send a message (Cloud API route)"}},
        "/marketing_messages": {"post": {**send, "summary": "Send a marketing template (MM API)"}},
        "/v1/configs/webhook": {
            "get": {
                **channel,
                "summary": "The channel's webhook URL and headers",
                "responses": {"200": _json(ref("WebhookConfig"), "OK"), **_d360()},
            },
            "post": {
                **channel,
                "summary": "Set the channel's webhook URL and headers",
                "requestBody": {
                    "required": True,
                    "content": {JSON: {"schema": ref("WebhookConfigRequest")}},
                },
                "responses": {"200": _json(ref("WebhookConfig"), "OK"), **_d360(400, 413)},
            },
        },
        "/v1/configs/templates": {
            "get": {
                **channel,
                "summary": "The WABA's templates (forwarded to Graph)",
                "parameters": [
                    {"name": "name", "in": "query", "required": False, "schema": STRING}
                ],
                "responses": {"200": _json(ref("TemplateList"), "OK"), **_d360(400, 404, 502)},
            },
            "post": {
                **channel,
                "summary": "Create a template (Meta's body, forwarded to Graph)",
                "requestBody": {
                    "required": True,
                    "content": {JSON: {"schema": {"type": "object"}}},
                },
                "responses": {
                    "200": _json({"type": "object"}, "Graph's answer."),
                    **_d360(400, 404, 413, 502),
                },
            },
        },
        "/v1/template_analytics": {
            "get": {
                **channel,
                "summary": "Meta's template analytics for the channel's WABA (mmgate)",
                "parameters": openapi_spend.analytics_parameters(),
                "responses": {
                    "200": _json({"type": "object"}, "Meta's answer."),
                    **_d360(400, 502),
                },
            }
        },
        "/v1/messages/{wamid}": {
            "get": {
                **channel,
                "summary": "One message: status, route requested and taken, events (mmgate)",
                "parameters": [_path_param("wamid")],
                "responses": {"200": _json(ref("MessageStatus"), "OK"), **_d360(404)},
            }
        },
    }


def _partner_paths() -> dict[str, Schema]:
    partner_id = _path_param("partner_id")
    channel_id = _path_param("channel_id")
    delivery_id = _path_param("delivery_id", {"type": "integer", "minimum": 0})
    paths: dict[str, Schema] = {
        PARTNER: {
            "get": _partner_op("The partner", "Partner"),
            "patch": _partner_op("Set the partner's webhook URL", "Partner", body="PartnerPatch"),
        },
        PARTNER + "/settings": {"get": _partner_op("The partner's settings", "RoutingSettings")},
        PARTNER + "/settings/marketing_templates_routing": {
            "get": _partner_op("Marketing templates routing", "Routing"),
            "patch": _partner_op("Turn MM routing on or off", "Routing", body="Routing"),
        },
        PARTNER + "/onboarding_link": {
            "get": _partner_op("The MM onboarding link", "OnboardingLink")
        },
        PARTNER + "/clients": {"get": _partner_op("Clients and their WABAs", "Clients")},
        PARTNER + "/spend": {
            "get": {
                **_partner_op(
                    "Each client's spend, as Meta reports it (mmgate)", "Spend", errors=(400,)
                ),
                "parameters": [
                    {
                        "name": "days",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 90},
                    }
                ],
            }
        },
        PARTNER + "/channels": {"get": _partner_op("Channels (phone numbers)", "Channels")},
        PARTNER + "/channels/{channel_id}/api_keys": {
            "parameters": [channel_id],
            "get": _partner_op("A channel's API keys (hints only)", "ApiKeyList", errors=(404,)),
            "post": {
                **_partner_op(
                    "New channel key; the old ones end after the overlap",
                    "NewChannelKey",
                    status=201,
                    errors=(400, 404, 413),
                ),
                "requestBody": {
                    "required": False,
                    "content": {JSON: {"schema": ref("KeyRotation")}},
                },
            },
        },
        PARTNER + "/channels/{channel_id}/api_keys/{key_id}": {
            "parameters": [channel_id, _path_param("key_id")],
            "delete": _partner_op("Revoke one channel key at once", "RevokedKey", errors=(404,)),
        },
        PARTNER + "/api_key/rotate": {
            "post": {
                **_partner_op(
                    "New partner key; the old one ends after the overlap",
                    "NewPartnerKey",
                    errors=(400, 413),
                ),
                "requestBody": {
                    "required": False,
                    "content": {JSON: {"schema": ref("KeyRotation")}},
                },
            }
        },
        PARTNER + "/webhook_deliveries": {
            "get": {
                **_partner_op("Webhook deliveries", "DeliveryList", errors=(400,)),
                "parameters": [
                    {
                        "name": "state",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["pending", "done", "failed"]},
                    },
                    {"name": "channel_id", "in": "query", "schema": STRING},
                    {"name": "since", "in": "query", "schema": {"type": "number"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                ],
            }
        },
        PARTNER + "/webhook_deliveries/replay": {
            "post": _partner_op("Replay failed deliveries", "Replayed", body="ReplayFailed")
        },
        PARTNER + "/webhook_deliveries/{delivery_id}": {
            "parameters": [delivery_id],
            "get": _partner_op("One delivery and its attempts", "DeliveryAttempts", errors=(404,)),
        },
        PARTNER + "/webhook_deliveries/{delivery_id}/replay": {
            "parameters": [delivery_id],
            "post": _partner_op("Replay one finished delivery", "Replayed", errors=(404,)),
        },
        PARTNER + "/webhook_endpoints": {"get": _partner_op("Endpoint health", "Endpoints")},
        PARTNER + "/webhook_secret/rotate": {
            "post": _partner_op(
                "Rotate the webhook signing secret", "NewWebhookSecret", body="SecretRotation"
            )
        },
    }
    for item in paths.values():
        item["parameters"] = [partner_id, *item.get("parameters", [])]
    return paths


def _service_paths() -> dict[str, Schema]:
    meta = {"tags": ["Meta webhooks"]}
    health = {"tags": ["Service"]}
    return {
        "/healthz": {
            "get": {
                **health,
                "summary": "Alive",
                "responses": {"200": _json({"type": "object"}, "OK")},
            }
        },
        "/readyz": {
            "get": {
                **health,
                "summary": "Database reachable",
                "responses": {"200": _json({"type": "object"}, "OK")},
            }
        },
        "/metrics": {
            "get": {
                **health,
                "summary": "Prometheus metrics: this process's database commits, items, rows",
                "responses": {"200": {"description": "Prometheus text format"}},
            }
        },
        "/openapi.json": {
            "get": {
                **health,
                "summary": "This document",
                "responses": {"200": _json({"type": "object"}, "OK")},
            }
        },
        "/meta/webhook": {
            "get": {
                **meta,
                "summary": "Meta's verification handshake",
                "parameters": [
                    {"name": name, "in": "query", "schema": STRING}
                    for name in ("hub.mode", "hub.verify_token", "hub.challenge")
                ],
                "responses": {"200": _text("The challenge."), "403": _text("Wrong verify token.")},
            },
            "post": {
                **meta,
                "summary": "Meta's webhooks, signed (X-Hub-Signature-256)",
                "parameters": [{"name": "X-Hub-Signature-256", "in": "header", "schema": STRING}],
                "requestBody": {
                    "required": True,
                    "content": {JSON: {"schema": {"type": "object"}}},
                },
                "responses": {
                    "200": _text("Taken."),
                    "400": _text("Not JSON."),
                    "401": _text("Bad signature."),
                },
            },
        },
    }


@cache
def document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "mmgate",
            "version": "1",
            "description": "WhatsApp Marketing Messages gateway: 360dialog-compatible "
            "Messaging API and Partner API. Errors and limits: docs/errors.md, SECURITY.md.",
        },
        "paths": {**_messaging_paths(), **_partner_paths(), **_service_paths()},
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "ChannelKey": {"type": "apiKey", "in": "header", "name": "D360-API-KEY"},
                "PartnerKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
    }


def rendered() -> str:
    return json.dumps(document(), indent=2, sort_keys=True) + "\n"


async def openapi_json(_: Request) -> Response:
    return Response(rendered(), media_type=JSON)


routes = [Route("/openapi.json", openapi_json, methods=["GET"])]

if __name__ == "__main__":
    sys.stdout.write(rendered())
