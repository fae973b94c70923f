"""The one request builder and response reader every operation goes through."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar

import httpx
import msgspec

from mmgate.sdk._errors import MmgateError, error_from_response
from mmgate.sdk._retry import Retry

DEFAULT_BASE_URL = "http://127.0.0.1:8360"
T = TypeVar("T")


class Auth(Enum):
    """Which credential a surface takes, and in which header."""

    CHANNEL = "D360-API-KEY"  # Messaging API, one key per channel (phone number)
    PARTNER = "X-API-Key"  # Partner API
    SANDBOX = "X-Sandbox-Key"  # the emulator's control API


@dataclass(frozen=True, slots=True)
class Config:
    base_url: str = DEFAULT_BASE_URL
    partner_base_url: str | None = None  # 360dialog serves its Partner API from another host
    api_key: str | None = None
    partner_api_key: str | None = None
    partner_id: str | None = None
    sandbox_key: str | None = None
    retry: Retry = field(default_factory=Retry)
    user_agent: str = "mmgate-sdk"

    def key_for(self, auth: Auth) -> str:
        key = {
            Auth.CHANNEL: self.api_key,
            Auth.PARTNER: self.partner_api_key,
            Auth.SANDBOX: self.sandbox_key,
        }[auth]
        if not key:
            raise ValueError(f"this call needs {_KEY_ARGUMENT[auth]} (sent as {auth.value})")
        return key

    def partner_path(self, path: str) -> str:
        if not self.partner_id:
            raise ValueError("Partner API calls need partner_id")
        suffix = path.strip("/")
        return f"/api/v2/partners/{self.partner_id}" + (f"/{suffix}" if suffix else "")


_KEY_ARGUMENT = {
    Auth.CHANNEL: "api_key",
    Auth.PARTNER: "partner_api_key",
    Auth.SANDBOX: "sandbox_key",
}
_encoder = msgspec.json.Encoder()


def build_request(
    config: Config,
    method: str,
    path: str,
    auth: Auth,
    *,
    body: Any = None,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Request:
    """Bodies are encoded once, here, so every retry sends the very same bytes."""
    all_headers = {
        auth.value: config.key_for(auth),
        "Accept": "application/json",
        "User-Agent": config.user_agent,
        **(headers or {}),
    }
    content = None
    if body is not None:
        content = _encoder.encode(body)
        all_headers["Content-Type"] = "application/json"
    base = config.base_url
    if auth is Auth.PARTNER and config.partner_base_url:
        base = config.partner_base_url
    url = base.rstrip("/") + path
    return httpx.Request(method, url, params=params, headers=all_headers, content=content)


def read_response(response: httpx.Response, answer_type: type[T]) -> T:
    """The typed answer of a 2xx response; any other status raises its `ApiError`."""
    if not response.is_success:
        raise error_from_response(response)
    try:
        return msgspec.json.decode(response.content, type=answer_type)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise MmgateError(
            f"unexpected answer from {response.request.method} {response.request.url.path}: {exc}"
        ) from None


def read_json(response: httpx.Response) -> Any:
    if not response.is_success:
        raise error_from_response(response)
    if not response.content.strip():
        return None
    try:
        return msgspec.json.decode(response.content)
    except msgspec.DecodeError as exc:
        raise MmgateError(f"{response.request.url.path} did not answer JSON: {exc}") from None


def convert(data: Any, answer_type: type[T]) -> T:
    try:
        return msgspec.convert(data, answer_type)
    except msgspec.ValidationError as exc:
        raise MmgateError(f"unexpected answer, not a {answer_type.__name__}: {exc}") from None


def unwrap_partner(body: Any) -> Any:
    """The Partner API wraps answers as `{"meta": …, "status_code": …, "data": …}`."""
    if isinstance(body, dict) and "data" in body and ("meta" in body or "status_code" in body):
        return body["data"]
    return body
