"""Graph endpoints for templates and WABA settings:
`POST /{waba_id}/message_templates` and `POST /{waba_id}` (MM flags)."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.emulator.graph_api import (
    authorise,
    graph_version,
)
from mmgate.emulator.state import Emulator
from mmgate.emulator.template_bids import edit, find_template
from mmgate.emulator.world import TemplateRecord, Waba
from mmgate.errors import GraphError
from mmgate.web.responses import json_response


async def _waba_request(request: Request) -> tuple[Emulator, Any, dict[str, Any]]:
    emulator: Emulator = request.app.state.emulator
    graph_version(request)
    authorise(emulator, request)
    waba = emulator.worlds.waba(request.path_params["object_id"])
    if waba is None:
        raise GraphError(100, "Unsupported post request.")
    try:
        body = msgspec.json.decode(await request.body())
    except msgspec.DecodeError:
        raise GraphError(100, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise GraphError(100, "A JSON object is expected.")
    return emulator, waba, body


async def create_template(request: Request) -> Response:
    emulator, waba, body = await _waba_request(request)
    template = emulator.templates.create(waba, body)
    return json_response(
        {"id": template.id, "status": template.status, "category": template.category}
    )


async def update_waba(request: Request) -> Response:
    found = find_template(request.app.state.emulator.worlds, request.path_params["object_id"])
    if found is not None:  # `POST /{template_id}`: a max price edit (template_bids.py)
        return await edit_template(request, *found)
    emulator, waba, body = await _waba_request(request)
    flag = body.get("disable_marketing_messages_on_cloud_api")
    if not isinstance(flag, bool):
        raise GraphError(100, "disable_marketing_messages_on_cloud_api must be a boolean.")
    waba.disable_marketing_messages_on_cloud_api = flag
    emulator.worlds.save()
    return json_response({"id": waba.id})


async def edit_template(request: Request, waba: Waba, template: TemplateRecord) -> Response:
    emulator: Emulator = request.app.state.emulator
    graph_version(request)
    authorise(emulator, request)
    try:
        body = msgspec.json.decode(await request.body())
    except msgspec.DecodeError:
        raise GraphError(100, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise GraphError(100, "A JSON object is expected.")
    edit(emulator.worlds, waba, template, body, emulator.clock.now())
    return json_response({"success": True})


routes = [
    Route("/graph/{version}/{object_id}/message_templates", create_template, methods=["POST"]),
    # `GET|POST /{object_id}` is registered once, in graph_webhooks.py, which dispatches here.
]
