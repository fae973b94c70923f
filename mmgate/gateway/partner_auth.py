"""What every Partner API route starts from: the partner key check, its limits, and
360dialog's envelope `{"meta": {…}, "status_code", "data"}` for answers and errors.

Auth is `X-API-Key: <partner key>` (a `Bearer` Authorization header is tolerated); a key
reaches its own partner only. Wrong keys are counted per client address: past the limit
that address gets 429 for a while, whatever key it sends (else a guess that happened to
be right would still get through). A missing key is no guess and is not counted.
"""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from mmgate.gateway.bodies import BodyRefused, json_body
from mmgate.gateway.ratelimit import client_address, retry_after_header
from mmgate.gateway.services import gateway_of
from mmgate.ids import key_hash, new_trace_id
from mmgate.storage.port import Partner

PREFIX = "/api/v2/partners/{partner_id}"
MAX_BODY = 64 * 1024  # the Partner API's bodies are a few hundred bytes


def envelope(
    data: Any, status: int = 200, message: str = "OK", headers: dict[str, str] | None = None
) -> Response:
    body = {
        "meta": {
            "developer_message": message,
            "http_code": status,
            "success": status < 400,
            "360dialog_trace_id": new_trace_id(),
        },
        "status_code": status,
        "data": data,
    }
    return Response(msgspec.json.encode(body), status, headers, media_type="application/json")


def too_many_requests(seconds: float) -> Response:
    wait = retry_after_header(seconds)
    message = f"Too many requests. Retry after {wait['Retry-After']} seconds."
    return envelope({}, 429, message, headers=wait)


async def authorised_partner(request: Request) -> Partner | Response:
    gateway = gateway_of(request)
    guard = gateway.partner_guard
    now = gateway.clock.now()
    address = client_address(request)
    wait = guard.auth_failures.retry_after(address, now)
    if wait is not None:
        return too_many_requests(wait)
    key = request.headers.get("x-api-key") or request.headers.get("authorization", "")
    key = key.removeprefix("Bearer ").strip()
    partner = await gateway.store.partner_for_key_at(key_hash(key), now) if key else None
    if partner is None:
        if key:
            guard.auth_failures.failed(address, now)
        return envelope({}, 401, "Invalid API key")
    if partner.id != request.path_params["partner_id"]:
        return envelope(
            {}, 403, f"Permission denied for partner {request.path_params['partner_id']}"
        )
    wait = guard.requests.take(partner.id, now)
    if wait is not None:
        return too_many_requests(wait)
    return partner


async def decode_body(request: Request, kind: type[Any]) -> Any:
    """The body as `kind`, or an envelope error Response."""
    try:
        raw = await json_body(request, MAX_BODY)
    except BodyRefused as refused:
        return envelope({}, refused.status, refused.message)
    try:
        return msgspec.json.decode(raw, type=kind)
    except msgspec.ValidationError as exc:
        return envelope({}, 400, f"Invalid request body: {exc}")
    except msgspec.DecodeError:
        return envelope({}, 400, "The request body is not valid JSON.")
