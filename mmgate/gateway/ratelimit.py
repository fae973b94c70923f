"""Partner API limits: wrong keys per client address (against guessing), and requests per
partner (against floods). Answered with HTTP 429 in the Partner API's envelope and a
`Retry-After` header; numbers in SECURITY.md, settings in mmgate/settings.py."""

from __future__ import annotations

import math

from starlette.requests import Request

from mmgate.domain.rate_limits import FailureWindow, TokenBucket
from mmgate.settings import Settings

AUTH_FAILURE_WINDOW_SECONDS = 600.0


class PartnerApiGuard:
    def __init__(self, settings: Settings) -> None:
        self.auth_failures = FailureWindow(
            settings.partner_api_auth_failures, AUTH_FAILURE_WINDOW_SECONDS
        )
        self.requests = TokenBucket.per_minute(settings.partner_api_requests_per_minute)


def client_address(request: Request) -> str:
    """The peer address (behind a proxy, uvicorn's --proxy-headers makes it the client's)."""
    return request.client.host if request.client else "unknown"


def retry_after_header(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}
