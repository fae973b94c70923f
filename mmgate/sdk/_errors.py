"""What the SDK raises, read from the shared error catalogue (mmgate/errors.py).

MmgateError                       everything the SDK raises
├── TransportError                the server could not be reached (after retries)
├── WebhookSignatureError         a webhook's signature or timestamp did not verify
└── ApiError                      the server answered with an error: .code .details .http_status
    ├── AuthenticationError       401: a missing or wrong key
    ├── NotFound                  404: no such message (or route)
    ├── InvalidRequest            100: the payload is wrong
    ├── RateLimited               130429 or HTTP 429: slow down (retried automatically)
    ├── TemplateNotFound          132001: no approved template in that language
    ├── TemplateParametersMismatch 132000: parameter count differs from the template
    ├── NotMarketingTemplate      134100 / 131055: not a MARKETING template on MM API
    └── TemplateSyncing           134101: a new or dormant template is still syncing
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx
import msgspec

from mmgate.errors import CATALOGUE, GraphError, parse_graph_error


class MmgateError(Exception):
    """Base of every error the SDK raises."""


class TransportError(MmgateError):
    """No answer from the server (connection refused, timeout), after the SDK's retries."""


class WebhookSignatureError(MmgateError):
    """A webhook did not carry a valid, recent mmgate signature."""


class ApiError(MmgateError):
    """The server answered with an error object (Graph, 360dialog or Partner API shape)."""

    codes: ClassVar[tuple[int, ...]] = ()

    def __init__(
        self,
        code: int,
        message: str,
        details: str,
        http_status: int,
        *,
        body: Any = None,
    ) -> None:
        self.code = code
        self.message = message
        self.details = details
        self.http_status = http_status
        self.body = body  # the decoded error body, as received
        spec = CATALOGUE.get(code)
        self.title = spec.title if spec is not None else message
        super().__init__(self._one_line())

    def _one_line(self) -> str:
        text = self.message
        if self.details and self.details not in text:
            text = f"{text}: {self.details}"
        if f"#{self.code}" not in text:
            text = f"{text} (code {self.code}, HTTP {self.http_status})"
        return text


class AuthenticationError(ApiError):
    codes = (0, 190)


class NotFound(ApiError):
    pass


class InvalidRequest(ApiError):
    codes = (100,)


class RateLimited(ApiError):
    codes = (130429,)


class TemplateNotFound(ApiError):
    codes = (132001,)


class TemplateParametersMismatch(ApiError):
    codes = (132000,)


class NotMarketingTemplate(ApiError):
    codes = (134100, 131055)


class TemplateSyncing(ApiError):
    codes = (134101,)


_BY_CODE: dict[int, type[ApiError]] = {
    code: cls
    for cls in (
        AuthenticationError,
        InvalidRequest,
        RateLimited,
        TemplateNotFound,
        TemplateParametersMismatch,
        NotMarketingTemplate,
        TemplateSyncing,
    )
    for code in cls.codes
}
_BY_STATUS: dict[int, type[ApiError]] = {401: AuthenticationError, 404: NotFound, 429: RateLimited}


def error_from_response(response: httpx.Response) -> ApiError:
    body = _json_or_none(response.content)
    status = response.status_code
    graph = _graph_error(body, status)
    if graph is None:
        # 360dialog's own 401 body, the Partner API envelope, or no JSON at all.
        code, message = _other_error(body, response)
        graph = GraphError(code, message, message=message, http_status=status)
    cls = _pick_class(graph.code, status)
    return cls(graph.code, graph.message, graph.details, status, body=body)


def error_code(response: httpx.Response) -> int | None:
    """The catalogue code an error answer names, if it names one."""
    graph = _graph_error(_json_or_none(response.content), response.status_code)
    return graph.code if graph is not None else None


def _graph_error(body: Any, status: int) -> GraphError | None:
    """Graph's `{"error": {...}}` or 360dialog's `{"detail": {"error": {...}}}`."""
    if not isinstance(body, dict):
        return None
    wrapped = body.get("detail")
    inner = wrapped.get("error") if isinstance(wrapped, dict) else body.get("error")
    if not isinstance(inner, dict) or not isinstance(inner.get("code"), int):
        return None
    return parse_graph_error(body, status)


def _other_error(body: Any, response: httpx.Response) -> tuple[int, str]:
    if isinstance(body, dict):
        if isinstance(body.get("error"), str):  # {"error": "Invalid api token."}
            return response.status_code, body["error"]
        meta = body.get("meta")
        if isinstance(meta, dict) and isinstance(meta.get("developer_message"), str):
            return response.status_code, meta["developer_message"]
    reason = response.text.strip()[:200] or response.reason_phrase
    return response.status_code, f"HTTP {response.status_code}: {reason}"


def _pick_class(code: int, status: int) -> type[ApiError]:
    if status in (401, 403) and code in (status, 0, 190):
        return AuthenticationError
    by_code = _BY_CODE.get(code)
    if by_code is not None and by_code is not InvalidRequest:
        return by_code
    # Code 100 is Graph's catch-all; a 404 or 429 status says more about what happened.
    return _BY_STATUS.get(status) or by_code or ApiError


def _json_or_none(content: bytes) -> Any:
    try:
        return msgspec.json.decode(content)
    except msgspec.DecodeError:
        return None
