"""The emulator's Graph API for onboarding: WABA and business fields, the intent API,
and the partner's list of client WABAs (reference §1.3 D, §1.5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.domain.onboarding import lite_api_status
from mmgate.emulator.graph_api import authorise, graph_version
from mmgate.emulator.insights import render_analytics, split_analytics
from mmgate.emulator.state import Emulator
from mmgate.emulator.template_bids import find_template, template_node
from mmgate.emulator.world import Business, Waba, WorldStore, terms_state
from mmgate.errors import GraphError
from mmgate.web.responses import json_response

WabaField = Callable[[WorldStore, Waba], Any]
BusinessField = Callable[[WorldStore, Business], Any]
CLIENT_WABA_DEFAULT_FIELDS = ("id", "name", "timezone_id", "message_template_namespace")
FILTER_OPERATORS = ("IN", "NOT_IN", "EQUAL", "NOT_EQUAL")


def business_onboarding_status(business: Business) -> dict[str, str]:
    """`{"status", "time"}`: time is the day the state was reached, as Meta shows it."""
    body = {"status": terms_state(business).value}
    changed = business.mm_terms_changed_at or business.mm_terms_signed_at
    if changed is not None:
        body["time"] = dt.datetime.fromtimestamp(changed, dt.UTC).strftime("%Y-%m-%d")
    return body


def _owner_business_info(worlds: WorldStore, waba: Waba) -> dict[str, Any]:
    business = worlds.business(waba.business_id)
    if business is None:
        return {"id": waba.business_id}
    return {
        "name": business.name,
        "id": business.id,
        "marketing_messages_onboarding_status": business_onboarding_status(business),
    }


WABA_FIELDS: dict[str, WabaField] = {
    "id": lambda _, w: w.id,
    "name": lambda _, w: w.name,
    "timezone_id": lambda _, w: w.timezone_id,
    "message_template_namespace": lambda _, w: w.message_template_namespace,
    "marketing_messages_onboarding_status": lambda worlds, w: worlds.mm_status(w).value,
    "marketing_messages_lite_api_status": lambda worlds, w: lite_api_status(worlds.mm_status(w)),
    "owner_business_info": _owner_business_info,
    "disable_marketing_messages_on_cloud_api": (
        lambda _, w: w.disable_marketing_messages_on_cloud_api
    ),
}
BUSINESS_FIELDS: dict[str, BusinessField] = {
    "id": lambda _, b: b.id,
    "name": lambda _, b: b.name,
    "marketing_messages_onboarding_status": lambda _, b: business_onboarding_status(b),
}


def requested_fields(raw: str | None, default: tuple[str, ...]) -> list[str]:
    """`fields=a,b{c,d},e` -> ["a", "b", "e"]: sub-selections return the whole object."""
    if not raw:
        return list(default)
    names, depth, current = [], 0, ""
    for char in raw + ",":
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "," and depth == 0:
            if current.strip():
                names.append(current.strip())
            current = ""
        elif depth == 0:
            current += char
    return names


def _render(
    fields: list[str], node_type: str, table: Mapping[str, Callable[..., Any]], *args: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name in fields:
        if name not in table:
            raise GraphError(
                100,
                message=f"(#100) Tried accessing nonexisting field ({name}) on node type "
                f"({node_type})",
                with_error_data=False,
            )
        body[name] = table[name](*args)
    body.setdefault("id", table["id"](*args))  # Graph always names the node
    return body


def _unknown_object(object_id: str, method: str) -> GraphError:
    return GraphError(
        100,
        f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation.",
    )


async def object_fields(request: Request) -> Response:
    """`GET /{object_id}?fields=…` for a WABA or a business portfolio."""
    emulator: Emulator = request.app.state.emulator
    graph_version(request)
    authorise(emulator, request)
    object_id = request.path_params["object_id"]
    raw = request.query_params.get("fields")
    worlds = emulator.worlds
    waba = worlds.waba(object_id)
    if waba is not None:
        raw, analytics = split_analytics(raw)  # template/pricing analytics (insights.py)
        fields = requested_fields(raw, ("id", "name"))
        body = _render(fields, "WhatsAppBusinessAccount", WABA_FIELDS, worlds, waba)
        return json_response({**body, **render_analytics(emulator, waba, analytics)})
    found = find_template(worlds, object_id)
    if found is not None:  # a template node: max price readable back (template_bids.py)
        fields = requested_fields(raw, ("id", "name", "status", "category"))
        return json_response(template_node(worlds, *found, fields))
    business = worlds.business(object_id)
    if business is not None:
        fields = requested_fields(raw, ("id", "name"))
        return json_response(_render(fields, "Business", BUSINESS_FIELDS, worlds, business))
    raise _unknown_object(object_id, "get")


async def onboard_partners_to_mm_lite(request: Request) -> Response:
    """The intent API; an optional `solution_id` (body or query) is accepted and kept
    out of the model: the emulator has one solution provider."""
    emulator: Emulator = request.app.state.emulator
    graph_version(request)
    authorise(emulator, request)
    created = emulator.onboarding.request_terms(request.path_params["business_id"])
    return json_response({"request_id": created.id})


class Filter(msgspec.Struct, forbid_unknown_fields=True):
    field: str
    operator: str
    value: str | list[str]


def _parse_filtering(raw: str | None) -> list[Filter]:
    if not raw:
        return []
    try:
        filters = msgspec.json.decode(raw, type=list[Filter])
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise GraphError(100, f"Invalid filtering parameter: {exc}") from None
    for item in filters:
        if item.field not in WABA_FIELDS or item.field == "owner_business_info":
            raise GraphError(100, f"Cannot filter on field '{item.field}'.")
        if item.operator not in FILTER_OPERATORS:
            raise GraphError(100, f"Unsupported filtering operator '{item.operator}'.")
    return filters


def _matches(worlds: WorldStore, waba: Waba, item: Filter) -> bool:
    actual = str(WABA_FIELDS[item.field](worlds, waba))
    wanted = item.value if isinstance(item.value, list) else [item.value]
    found = actual in wanted
    return found if item.operator in ("IN", "EQUAL") else not found


async def client_whatsapp_business_accounts(request: Request) -> Response:
    """The WABAs clients share with the solution provider (`business_id` is its own)."""
    emulator: Emulator = request.app.state.emulator
    graph_version(request)
    authorise(emulator, request)
    worlds = emulator.worlds
    business_id = request.path_params["business_id"]
    if worlds.business(business_id) is None:
        raise _unknown_object(business_id, "get")
    filters = _parse_filtering(request.query_params.get("filtering"))
    fields = requested_fields(request.query_params.get("fields"), CLIENT_WABA_DEFAULT_FIELDS)
    app = worlds.world.app
    shared = (
        [w for w in worlds.world.wabas if w.business_id != business_id]
        if app is not None and app.business_id == business_id
        else []
    )
    data = [
        _render(fields, "WhatsAppBusinessAccount", WABA_FIELDS, worlds, waba)
        for waba in shared
        if all(_matches(worlds, waba, f) for f in filters)
    ]
    return json_response({"data": data, "paging": {"cursors": {"before": "", "after": ""}}})


routes = [
    # `GET|POST /{object_id}` is registered once, in graph_webhooks.py, which dispatches here.
    Route(
        "/graph/{version}/{business_id}/onboard_partners_to_mm_lite",
        onboard_partners_to_mm_lite,
        methods=["POST"],
    ),
    Route(
        "/graph/{version}/{business_id}/client_whatsapp_business_accounts",
        client_whatsapp_business_accounts,
        methods=["GET"],
    ),
]
