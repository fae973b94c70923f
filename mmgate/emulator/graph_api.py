"""The emulator's Graph API (`/graph/{version}/...`), Meta's wire contract."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.domain.payloads import EntryPoint, decode_send, validate_send
from mmgate.domain.pricing import country_of
from mmgate.domain.routing import Route as MessageRoute
from mmgate.domain.templates import (
    Category,
    TemplateInfo,
    check_against_template,
    info_from_graph,
)
from mmgate.domain.ttl import resolve_ttl
from mmgate.emulator import template_formats
from mmgate.emulator.interactive import interactive_of
from mmgate.emulator.network import SimMessage, new_conversation_id, route_at_meta
from mmgate.emulator.receipts import read_receipt
from mmgate.emulator.state import Emulator
from mmgate.emulator.template_bids import bid_for_send
from mmgate.emulator.user_webhooks import addressed_by_user_id
from mmgate.emulator.world import TemplateRecord
from mmgate.errors import GraphError
from mmgate.ids import new_wamid
from mmgate.web.responses import json_response
from mmgate.web.routing import FastRoute

_VERSION = re.compile(r"^v(\d+)\.\d+$")


def graph_version(request: Request) -> int:
    match = _VERSION.match(request.path_params["version"])
    if match is None:
        raise GraphError(100, message="Unknown path components", http_status=400)
    return int(match.group(1))


def authorise(emulator: Emulator, request: Request) -> None:
    header = request.headers.get("authorization", "")
    token = header.removeprefix("Bearer ").strip()
    if not emulator.worlds.graph_token_matches(token):
        raise GraphError(190, http_status=401)


def template_graph_json(template: TemplateRecord) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": template.id,
        "name": template.name,
        "language": template.language,
        "status": template.status,
        "category": template.category,
        "components": template.components,
    }
    if template.message_send_ttl_seconds is not None:
        body["message_send_ttl_seconds"] = template.message_send_ttl_seconds
    if template.optimization_spec is not None:
        body["optimization_spec"] = template.optimization_spec  # max price
    return body


async def send_message(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    endpoint = EntryPoint(request.url.path.rsplit("/", 1)[1])
    version = graph_version(request)
    authorise(emulator, request)
    answer = _accept(
        emulator, endpoint, version, request.path_params["object_id"], await request.body()
    )
    await emulator.journal.committed()  # accepted means journaled: Meta does not forget
    return json_response(answer)


def _accept(
    emulator: Emulator, endpoint: EntryPoint, version: int, phone_number_id: str, body: bytes
) -> dict[str, Any]:
    found = emulator.worlds.number(phone_number_id)
    if found is None:
        raise GraphError(
            100, f"Unsupported post request. Object with ID '{phone_number_id}' does not exist."
        )
    phone, waba = found
    receipt = read_receipt(body) if endpoint is EntryPoint.MESSAGES else None
    if receipt is not None:
        return receipt  # the business read a user's message
    decoded = decode_send(body)
    bid = bid_for_send(emulator.worlds, waba, decoded, endpoint)  # max price (131061/131062)
    by_user_id = addressed_by_user_id(decoded)  # `recipient`: a BSUID instead of `to`
    valid = validate_send(decoded, endpoint)
    request = valid.request
    category: str | None = None
    template_ttl: int | None = None
    record = None
    raw_components: list[dict[str, Any]] | None = None
    if request.template is not None:
        record = emulator.worlds.template(
            waba, request.template.name, request.template.language.code
        )
        if record is None:
            raise GraphError(
                132001,
                f"template name ({request.template.name}) does not exist "
                f"in {request.template.language.code}",
            )
        info = _template_info(record)
        check_against_template(request.template, info)
        raw_components = template_formats.sent_components(record.components, body)
        category, template_ttl = info.category, info.ttl_seconds
        if endpoint is EntryPoint.MARKETING_MESSAGES and category != Category.MARKETING:
            raise GraphError(134100 if version >= 23 else 131055)
    is_marketing = category == Category.MARKETING
    route = route_at_meta(
        endpoint.value,
        is_marketing,
        emulator.worlds.is_onboarded(waba),
        valid.product_policy.value == "STRICT",
        waba,
    )
    if bid is not None and route is not MessageRoute.MM_API:
        raise GraphError(131061)  # a max price template never goes through Cloud API
    ttl = resolve_ttl(valid.ttl_seconds, template_ttl, category, route)
    now = emulator.clock.now()
    if record is not None and route is MessageRoute.MM_API:
        emulator.templates.check_synced(record, now, version)
    emulator.network.pair_limit.take(phone.id, valid.wa_id, now)  # 131056 when enabled
    meta_wamid = new_wamid(valid.wa_id)
    pricing = (
        "marketing_lite"
        if route is MessageRoute.MM_API
        else (category.lower() if category else "service")
    )
    sim = SimMessage(
        meta_wamid=meta_wamid,
        waba_id=waba.id,
        phone=phone,
        wa_id=valid.wa_id,
        pricing_category=pricing,
        is_marketing=is_marketing,
        route=route,
        callback_data=request.biz_opaque_callback_data,
        graph_version=version,
        sent_at=now,
        expires_at=now + ttl,
        conversation_id=new_conversation_id(),
        # What the recipient's phone shows and what a tap on it needs.
        template=record,
        content=request.template,
        text=request.text.body if request.text is not None else None,
        interactive=interactive_of(body) if request.type == "interactive" else None,
        activity_sharing=request.message_activity_sharing,
        country=country_of(valid.wa_id),
        bid=bid,
        business_id=waba.business_id,
        raw_components=raw_components,
    )
    emulator.network.deliver(sim)
    emulator.journal.accepted(sim)  # durable before the answer (emulator/durable.py)
    emulator.accepted += 1
    _count_duplicate(emulator, request.biz_opaque_callback_data)
    message: dict[str, Any] = {"id": meta_wamid}
    if request.type == "template":
        message["message_status"] = "accepted"
    return {
        "messaging_product": "whatsapp",
        "contacts": [
            {"input": by_user_id, "user_id": by_user_id}
            if by_user_id is not None
            else {"input": request.to, "wa_id": valid.wa_id}
        ],
        "messages": [message],
    }


_infos: dict[tuple[str, str, str], TemplateInfo] = {}


def _template_info(record: TemplateRecord) -> TemplateInfo:
    """What a send is checked against; rebuilt only when the template changes."""
    key = (record.id, record.status, record.category)
    info = _infos.get(key)
    if info is None:
        built = info_from_graph(template_graph_json(record))
        assert built is not None
        info = _infos[key] = built
    return info


def _count_duplicate(emulator: Emulator, callback: str | None) -> None:
    if callback is None:
        return
    if callback in emulator.seen_callbacks:
        emulator.duplicate_sends += 1
        return
    if len(emulator.seen_callbacks) >= 1_000_000:
        emulator.seen_callbacks.clear()
    emulator.seen_callbacks.add(callback)


async def message_templates(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    graph_version(request)
    authorise(emulator, request)
    waba = emulator.worlds.waba(request.path_params["object_id"])
    if waba is None:
        raise GraphError(100, "Unsupported get request.")
    name = request.query_params.get("name")
    data = [template_graph_json(t) for t in waba.templates if name is None or t.name == name]
    return json_response({"data": data, "paging": {"cursors": {"before": "", "after": ""}}})


routes = [
    FastRoute("/graph/{version}/{object_id}/messages", send_message, methods=["POST"]),
    FastRoute("/graph/{version}/{object_id}/marketing_messages", send_message, methods=["POST"]),
    Route("/graph/{version}/{object_id}/message_templates", message_templates, methods=["GET"]),
]
