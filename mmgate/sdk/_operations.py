"""Every API call, written once as a sans-I/O flow (see `_flow.py`).

`Client` and `AsyncClient` expose these functions as their methods, with the
same parameters and docstrings; the first argument (`config`) becomes `self`.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal
from urllib.parse import quote

import msgspec

from mmgate.sdk._flow import Flow, exchange
from mmgate.sdk._models import (
    SandboxClock,
    SandboxRecipient,
    TemplateMessage,
    TextMessage,
)
from mmgate.sdk._requests import (
    Auth,
    Config,
    build_request,
    convert,
    read_json,
    read_response,
    unwrap_partner,
)
from mmgate.sdk.wire import MessageInfo, SendResponse, WebhookConfig, WebhookConfigRequest
from mmgate.sdk.wire_partner import MarketingTemplatesRouting, Partner, Spend

Message = TemplateMessage | TextMessage | dict[str, Any]


def send_marketing_message(
    config: Config, message: TemplateMessage | dict[str, Any], *, idempotency_key: str | None = None
) -> Flow[SendResponse]:
    """Send a MARKETING template through `POST /marketing_messages` (MM API).

    Every send carries an Idempotency-Key (a new uuid unless given) that all of the
    SDK's own retries reuse, so a retried send is never a second message.
    """
    return _send(config, "/marketing_messages", message, idempotency_key)


def send_message(
    config: Config, message: Message, *, idempotency_key: str | None = None
) -> Flow[SendResponse]:
    """Send any message through `POST /messages`; marketing templates are routed via
    MM API when the partner's routing setting is on (360dialog's fallback mechanism)."""
    return _send(config, "/messages", message, idempotency_key)


def _send(
    config: Config, path: str, message: Message, idempotency_key: str | None
) -> Flow[SendResponse]:
    key = idempotency_key or str(uuid.uuid4())
    request = build_request(
        config, "POST", path, Auth.CHANNEL, body=_wire(message), headers={"Idempotency-Key": key}
    )
    response = yield from exchange(request, config.retry)
    return read_response(response, SendResponse)


def _wire(message: Message) -> dict[str, Any]:
    body = message if isinstance(message, dict) else msgspec.to_builtins(message)
    return {"messaging_product": "whatsapp", "recipient_type": "individual", **body}


def get_message(config: Config, wamid: str) -> Flow[MessageInfo]:
    """mmgate's record of one message: status, route requested and taken, timeline."""
    request = build_request(config, "GET", f"/v1/messages/{quote(wamid)}", Auth.CHANNEL)
    response = yield from exchange(request, config.retry)
    return read_response(response, MessageInfo)


def set_webhook(
    config: Config, url: str | None, headers: dict[str, str] | None = None
) -> Flow[WebhookConfig]:
    """Point the channel's webhook at `url` (None removes it), with extra headers."""
    body = WebhookConfigRequest(url, headers or {})
    request = build_request(config, "POST", "/v1/configs/webhook", Auth.CHANNEL, body=body)
    response = yield from exchange(request, config.retry)
    return read_response(response, WebhookConfig)


def get_webhook(config: Config) -> Flow[WebhookConfig]:
    """The channel's webhook URL and extra headers."""
    request = build_request(config, "GET", "/v1/configs/webhook", Auth.CHANNEL)
    response = yield from exchange(request, config.retry)
    return read_response(response, WebhookConfig)


def partner_request(
    config: Config,
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"],
    path: str = "",
    *,
    json: Any = None,
    params: dict[str, str] | None = None,
) -> Flow[Any]:
    """Any Partner API call under `/api/v2/partners/{partner_id}/`; the decoded JSON answer."""
    request = build_request(
        config, method, config.partner_path(path), Auth.PARTNER, body=json, params=params
    )
    response = yield from exchange(request, config.retry)
    return read_json(response)


def get_partner(config: Config) -> Flow[Partner]:
    """`GET /api/v2/partners/{partner_id}`."""
    body = yield from partner_request(config, "GET")
    return convert(unwrap_partner(body), Partner)


def get_spend(config: Config, days: int = 30) -> Flow[Spend]:
    """`GET /api/v2/partners/{partner_id}/spend`: each client's spend as Meta reports it
    (MM API and Cloud API: sent, delivered, clicks, spend, cost per delivered/click)."""
    body = yield from partner_request(config, "GET", "spend", params={"days": str(days)})
    return convert(unwrap_partner(body), Spend)


def set_marketing_templates_routing(
    config: Config, enabled: bool
) -> Flow[MarketingTemplatesRouting]:
    """Turn routing of marketing templates sent to `/messages` via MM API on or off."""
    path = "settings/marketing_templates_routing"
    body = yield from partner_request(config, "PATCH", path, json={"enabled": enabled})
    data = unwrap_partner(body)
    # Some answers are only {"status_code": 200}: then the setting is what we asked.
    if isinstance(data, dict) and isinstance(data.get("enabled"), bool):
        return MarketingTemplatesRouting(data["enabled"])
    return MarketingTemplatesRouting(enabled)


def sandbox_clock(config: Config, advance_seconds: float | None = None) -> Flow[SandboxClock]:
    """The emulator's clock; `advance_seconds` moves it forward (due events happen first)."""
    if advance_seconds is None:
        request = build_request(config, "GET", "/sandbox/clock", Auth.SANDBOX)
    else:
        body = {"advance_seconds": advance_seconds}
        request = build_request(config, "POST", "/sandbox/clock", Auth.SANDBOX, body=body)
    response = yield from exchange(request, config.retry)
    return read_response(response, SandboxClock)


def sandbox_recipient(
    config: Config, number: str, behaviour: dict[str, Any] | None = None
) -> Flow[SandboxRecipient]:
    """A simulated WhatsApp user's behaviour; `behaviour` replaces it."""
    path = f"/sandbox/recipients/{quote(number.lstrip('+'))}"
    if behaviour is None:
        request = build_request(config, "GET", path, Auth.SANDBOX)
    else:
        request = build_request(config, "PUT", path, Auth.SANDBOX, body=behaviour)
    response = yield from exchange(request, config.retry)
    return read_response(response, SandboxRecipient)
