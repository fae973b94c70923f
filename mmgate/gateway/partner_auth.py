"""What every Partner API route starts from: the partner key check, its limits, and
360dialog's envelope `{"meta": {…}, "status_code", "data"}` for answers and errors.

Auth is `X-API-Key: <partner key>` (a `Bearer` Authorization header is tolerated); a key
reaches its own partner only. Wrong keys are counted per client address: past the limit
that address gets 429 for a while, whatever key it sends (else a guess that happened to
be right would still get through). A missing key is no guess and is not counted.
"""

from __future__ import annotations

from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from mmgate.errors import Refusal
from mmgate.gateway.bodies import decode_json, json_body
from mmgate.gateway.context import gateway_of
from mmgate.gateway.ratelimit import client_address, retry_after_header
from mmgate.ids import key_hash
from mmgate.storage.port import Partner
from mmgate.web.responses import json_response
from mmgate.web.surfaces import partner_envelope

T = TypeVar("T")

PREFIX = "/api/v2/partners/{partner_id}"
MAX_BODY = 64 * 1024  # the Partner API's bodies are a few hundred bytes


def envelope(data: Any, status: int = 200, message: str = "OK") -> Response:
    """A Partner API answer; errors are raised as `Refusal` and rendered in the same shape."""
    return json_response(partner_envelope(data, status, message), status)


def too_many_requests(seconds: float) -> Refusal:
    wait = retry_after_header(seconds)
    message = f"Too many requests. Retry after {wait['Retry-After']} seconds."
    return Refusal(429, message, headers=wait)


async def authorised_partner(request: Request) -> Partner:
    gateway = gateway_of(request)
    guard = gateway.partner_guard
    now = gateway.clock.now()
    address = client_address(request)
    wait = guard.auth_failures.retry_after(address, now)
    if wait is not None:
        raise too_many_requests(wait)
    key = request.headers.get("x-api-key") or request.headers.get("authorization", "")
    key = key.removeprefix("Bearer ").strip()
    partner = await gateway.store.partner_for_key_at(key_hash(key), now) if key else None
    if partner is None:
        if key:
            guard.auth_failures.failed(address, now)
        raise Refusal(401, "Invalid API key")
    if partner.id != request.path_params["partner_id"]:
        raise Refusal(403, f"Permission denied for partner {request.path_params['partner_id']}")
    wait = guard.requests.take(partner.id, now)
    if wait is not None:
        raise too_many_requests(wait)
    return partner


async def decode_body(request: Request, kind: type[T]) -> T:
    """The body as `kind`; a 400 or 413 Refusal otherwise."""
    return decode_json(await json_body(request, MAX_BODY), kind)
