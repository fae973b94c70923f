"""Webhook subscriptions on the emulator's Graph API, as Meta has them:

- `GET /oauth/access_token?grant_type=client_credentials`: the app access token
  (`{app_id}|{app_secret}`) that `/{app_id}/subscriptions` wants;
- `POST/GET/DELETE /{app_id}/subscriptions`: the app's callback URL, verify token, fields;
- `POST/GET/DELETE /{waba_id}/subscribed_apps`: the app subscribed to a WABA, with an
  optional `override_callback_uri` + `verify_token`;
- `POST /{phone_number_id}` with `webhook_configuration`, and
  `GET /{phone_number_id}?fields=webhook_configuration`.

Parameters come from the query string, a JSON body or a form body, as Graph takes them.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import parse_qsl

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.domain.json_limits import MAX_DEPTH, too_deep
from mmgate.emulator.graph_api import authorise, graph_version
from mmgate.emulator.graph_business import object_fields, requested_fields
from mmgate.emulator.graph_templates import update_waba
from mmgate.emulator.state import Emulator
from mmgate.emulator.subscriptions import check_callback_url, verify_callback
from mmgate.emulator.world import MetaApp, PhoneNumber, Waba
from mmgate.errors import GraphError
from mmgate.web.responses import json_response

OBJECT = "whatsapp_business_account"
DEFAULT_FIELDS = ("messages",)
SUCCESS = {"success": True}


async def _params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params)
    body = await request.body()
    if not body.strip():
        return params
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return params
    if too_deep(body, MAX_DEPTH):
        raise GraphError(100, f"The request body nests deeper than {MAX_DEPTH} levels.")
    try:
        decoded = msgspec.json.decode(body)
    except msgspec.DecodeError:
        raise GraphError(100, "The request body is not valid JSON.") from None
    if not isinstance(decoded, dict):
        raise GraphError(100, "A JSON object is expected.")
    params.update(decoded)
    return params


def _emulator(request: Request) -> Emulator:
    emulator: Emulator = request.app.state.emulator
    graph_version(request)
    return emulator


def _app(emulator: Emulator, app_id: str) -> MetaApp:
    app = emulator.worlds.world.app
    if app is None or app.id != app_id:
        raise GraphError(100, f"Unsupported request. Object with ID '{app_id}' does not exist.")
    return app


def _authorise_app(emulator: Emulator, request: Request, app: MetaApp) -> None:
    """The app access token (`app_id|app_secret`, as a parameter or bearer), or the
    system user token."""
    wanted = f"{app.id}|{app.app_secret}"
    given = [
        request.query_params.get("access_token", ""),
        request.headers.get("authorization", "").removeprefix("Bearer ").strip(),
    ]
    if any(g and hmac.compare_digest(g.encode(), wanted.encode()) for g in given):
        return
    authorise(emulator, request)


async def access_token(request: Request) -> Response:
    emulator = _emulator(request)
    app = emulator.worlds.world.app
    q = request.query_params
    if q.get("grant_type") != "client_credentials" or app is None:
        raise GraphError(100, "grant_type must be client_credentials.")
    secret_ok = hmac.compare_digest(q.get("client_secret", "").encode(), app.app_secret.encode())
    if q.get("client_id") != app.id or not secret_ok:
        raise GraphError(
            101, "Error validating client secret.", message="Error validating client secret."
        )
    return json_response({"access_token": f"{app.id}|{app.app_secret}", "token_type": "bearer"})


async def app_subscriptions(request: Request) -> Response:
    emulator = _emulator(request)
    app = _app(emulator, request.path_params["object_id"])
    _authorise_app(emulator, request, app)
    if request.method == "GET":
        return json_response({"data": _subscription_list(app, request)})
    if request.method == "DELETE":
        app.webhook_url, app.verify_token, app.webhook_fields = None, "", []
    else:
        await _subscribe_app(emulator, app, await _params(request))
    emulator.worlds.save()
    return json_response(SUCCESS)


async def _subscribe_app(emulator: Emulator, app: MetaApp, params: dict[str, Any]) -> None:
    if params.get("object", OBJECT) != OBJECT:
        raise GraphError(100, f"object must be {OBJECT}.")
    url = check_callback_url(params.get("callback_url"))
    token = str(params.get("verify_token", ""))
    fields = _fields(params.get("fields"))
    await verify_callback(emulator.http, url, token)
    app.webhook_url, app.verify_token, app.webhook_fields = url, token, fields


def _fields(raw: Any) -> list[str]:
    if raw is None:
        return list(DEFAULT_FIELDS)
    names = raw if isinstance(raw, list) else str(raw).split(",")
    fields = [str(n).strip() for n in names if str(n).strip()]
    if not fields:
        raise GraphError(100, "fields must name at least one field.")
    return fields


def _subscription_list(app: MetaApp, request: Request) -> list[dict[str, Any]]:
    if app.webhook_url is None:
        return []
    version = request.path_params["version"]
    fields = app.webhook_fields
    names = list(fields) if fields is not None else ["messages", "account_update"]
    return [
        {
            "object": OBJECT,
            "callback_url": app.webhook_url,
            "active": True,
            "fields": [{"name": name, "version": version} for name in names],
        }
    ]


async def subscribed_apps(request: Request) -> Response:
    emulator = _emulator(request)
    authorise(emulator, request)
    waba = emulator.worlds.waba(request.path_params["object_id"])
    if waba is None:
        raise GraphError(100, "Unsupported request: no such WhatsApp Business Account.")
    if request.method == "GET":
        return json_response({"data": _waba_apps(emulator, waba)})
    if request.method == "DELETE":
        waba.app_subscribed = False
        waba.override_callback_uri, waba.override_verify_token = None, ""
    else:
        await _subscribe_waba(emulator, waba, await _params(request))
    emulator.worlds.save()
    return json_response(SUCCESS)


async def _subscribe_waba(emulator: Emulator, waba: Waba, params: dict[str, Any]) -> None:
    """Subscribes the app; with `override_callback_uri`, verified first, messages webhooks
    go there; without it, a previous override is removed (as Meta documents)."""
    uri = params.get("override_callback_uri")
    if uri:
        url = check_callback_url(uri, "override_callback_uri")
        token = str(params.get("verify_token", ""))
        await verify_callback(emulator.http, url, token)
        waba.override_callback_uri, waba.override_verify_token = url, token
    else:
        waba.override_callback_uri, waba.override_verify_token = None, ""
    waba.app_subscribed = True


def _waba_apps(emulator: Emulator, waba: Waba) -> list[dict[str, Any]]:
    app = emulator.worlds.world.app
    if app is None or not waba.app_subscribed:
        return []
    entry: dict[str, Any] = {
        "whatsapp_business_api_data": {
            "link": f"https://www.facebook.com/games/?app_id={app.id}",
            "name": app.name,
            "id": app.id,
        }
    }
    if waba.override_callback_uri:
        entry["override_callback_uri"] = waba.override_callback_uri
    return [entry]


async def graph_object(request: Request) -> Response:
    """`/{object_id}`: a phone number's webhook_configuration here; WABAs and businesses
    where they were (graph_business, graph_templates)."""
    emulator: Emulator = request.app.state.emulator
    found = emulator.worlds.number(request.path_params["object_id"])
    if found is None:
        return await (object_fields if request.method == "GET" else update_waba)(request)
    graph_version(request)
    authorise(emulator, request)
    phone, waba = found
    if request.method == "GET":
        return json_response(_phone_fields(emulator, phone, waba, request))
    await _configure_phone(emulator, phone, await _params(request))
    emulator.worlds.save()
    return json_response(SUCCESS)


async def _configure_phone(emulator: Emulator, phone: PhoneNumber, params: dict[str, Any]) -> None:
    config = params.get("webhook_configuration")
    if isinstance(config, str):  # a form or query parameter carries it as JSON text
        raw = config.encode()
        try:
            config = None if too_deep(raw, MAX_DEPTH) else msgspec.json.decode(raw)
        except msgspec.DecodeError:
            config = None
    if not isinstance(config, dict) or "override_callback_uri" not in config:
        raise GraphError(100, "webhook_configuration.override_callback_uri is required.")
    uri = config.get("override_callback_uri")
    if not uri:  # an empty URI removes the override
        phone.override_callback_uri, phone.override_verify_token = None, ""
        return
    url = check_callback_url(uri, "override_callback_uri")
    token = str(config.get("verify_token", ""))
    await verify_callback(emulator.http, url, token)
    phone.override_callback_uri, phone.override_verify_token = url, token


# A phone number's fields as the emulator answers them (a healthy, verified Cloud API
# number); a field Meta has but the emulator does not model is left out, as Meta leaves
# out fields without a value.
PHONE_FIELDS: dict[str, Any] = {
    "quality_rating": "GREEN",
    "code_verification_status": "VERIFIED",
    "platform_type": "CLOUD_API",
    "throughput": {"level": "STANDARD"},
    "name_status": "APPROVED",
    "status": "CONNECTED",
    "account_mode": "LIVE",
    "messaging_limit_tier": "TIER_1K",
    "search_visibility": "VISIBLE",
    "is_official_business_account": False,
    "is_pin_enabled": False,
    "is_on_biz_app": False,
    "is_preverified_number": False,
}
DEFAULT_PHONE_FIELDS = ("verified_name", "display_phone_number", "quality_rating", "id")


def _phone_fields(
    emulator: Emulator, phone: PhoneNumber, waba: Waba, request: Request
) -> dict[str, Any]:
    fields = requested_fields(request.query_params.get("fields"), DEFAULT_PHONE_FIELDS)
    return phone_json(emulator, phone, waba, fields)


def phone_json(
    emulator: Emulator, phone: PhoneNumber, waba: Waba, fields: list[str]
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name in fields:
        if name == "webhook_configuration":
            body[name] = _webhook_configuration(emulator, phone, waba)
        elif name == "display_phone_number":
            body[name] = phone.display_phone_number
        elif name == "verified_name":
            body[name] = phone.verified_name
        elif name in PHONE_FIELDS:
            body[name] = PHONE_FIELDS[name]
    body["id"] = phone.id
    return body


async def phone_numbers(request: Request) -> Response:
    """`GET /{waba_id}/phone_numbers`: the WABA's numbers."""
    emulator = _emulator(request)
    authorise(emulator, request)
    waba = emulator.worlds.waba(request.path_params["object_id"])
    if waba is None:
        raise GraphError(100, "Unsupported get request: no such WhatsApp Business Account.")
    fields = requested_fields(request.query_params.get("fields"), DEFAULT_PHONE_FIELDS)
    data = [phone_json(emulator, p, waba, fields) for p in waba.phone_numbers]
    return json_response({"data": data, "paging": {"cursors": {"before": "", "after": ""}}})


def _webhook_configuration(emulator: Emulator, phone: PhoneNumber, waba: Waba) -> dict[str, str]:
    """Every level that has a callback, as Meta lists them."""
    config: dict[str, str] = {}
    if phone.override_callback_uri:
        config["phone_number"] = phone.override_callback_uri
    if waba.override_callback_uri and waba.app_subscribed:
        config["whatsapp_business_account"] = waba.override_callback_uri
    app = emulator.worlds.world.app
    if app is not None and app.webhook_url:
        config["application"] = app.webhook_url
    return config


routes = [
    Route("/graph/{version}/oauth/access_token", access_token, methods=["GET"]),
    Route(
        "/graph/{version}/{object_id}/subscriptions",
        app_subscriptions,
        methods=["GET", "POST", "DELETE"],
    ),
    Route(
        "/graph/{version}/{object_id}/subscribed_apps",
        subscribed_apps,
        methods=["GET", "POST", "DELETE"],
    ),
    Route("/graph/{version}/{object_id}/phone_numbers", phone_numbers, methods=["GET"]),
    Route("/graph/{version}/{object_id}", graph_object, methods=["GET", "POST"]),
    Route("/graph/{version}/{object_id}/", graph_object, methods=["GET", "POST"]),
]
