"""What the Messaging API's framework-routed routes (/v1/…) start from: the channel whose
D360-API-KEY the request carries (the Partner API's equivalent: partner_auth.py)."""

from __future__ import annotations

from starlette.requests import Request

from mmgate.errors import Refusal
from mmgate.gateway.context import gateway_of
from mmgate.services.accept import Unauthorized
from mmgate.storage.port import Channel
from mmgate.web.surfaces import INVALID_API_TOKEN


async def authorised_channel(request: Request) -> Channel:
    """The channel whose D360-API-KEY the request carries; a 401 Refusal otherwise."""
    try:
        return await gateway_of(request).accepter.authenticate(request.headers.get("d360-api-key"))
    except Unauthorized:
        raise Refusal(401, INVALID_API_TOKEN) from None
