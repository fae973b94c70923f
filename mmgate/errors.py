"""The one catalogue of error codes, shared by the emulator, the gateway and the SDK.

Each entry is what Meta documents for that code: HTTP status, title, details.
`GraphError` carries one, with optional more specific details, and renders it
in each surface's shape: Graph's `{"error": …}`, 360dialog's `{"detail": {"error": …}}`
and the webhook `errors[]` object. The first two are wire structs (`ErrorObject` …), from
which the OpenAPI document's error schemas are generated; they live here, beside the
catalogue, because the SDK ships this module (sdk/pyproject.toml).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from mmgate.ids import new_trace_id

ERROR_DOCS_HREF = "/documentation/business-messaging/whatsapp/support/error-codes"


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    code: int
    http_status: int
    title: str
    details: str
    type: str = "OAuthException"


_SPECS = [
    ErrorSpec(0, 401, "AuthException", "We were unable to authenticate the app user."),
    ErrorSpec(100, 400, "Invalid parameter", "Invalid parameter"),
    ErrorSpec(190, 401, "Invalid OAuth access token", "The access token could not be decrypted."),
    ErrorSpec(
        2200,
        400,
        "Callback verification failed",
        "The callback URL did not answer the hub.challenge verification request.",
    ),
    ErrorSpec(130429, 400, "Rate limit hit", "Cloud API message throughput has been reached."),
    ErrorSpec(
        130497,
        403,
        "Business account is restricted from messaging users in this country",
        "The business is not allowed to message users in this country.",
    ),
    ErrorSpec(131000, 500, "Something went wrong", "Something went wrong."),
    ErrorSpec(
        131009, 400, "Parameter value is not valid", "One or more parameter values are invalid."
    ),
    ErrorSpec(131016, 503, "Service unavailable", "A service is temporarily unavailable."),
    ErrorSpec(
        131026,
        400,
        "Message undeliverable",
        "Unable to deliver message. The recipient may not be a WhatsApp user.",
    ),
    ErrorSpec(
        131049,
        400,
        "This message was not delivered to maintain healthy ecosystem engagement.",
        "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
    ),
    ErrorSpec(
        131050,
        400,
        "Unable to deliver the message. This recipient has chosen to stop receiving marketing "
        "messages on WhatsApp from your business.",
        "The user has stopped marketing messages from this business.",
    ),
    ErrorSpec(
        131047,
        400,
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer "
        "last replied to this number.",
    ),
    ErrorSpec(131051, 400, "Unsupported message type", "Message type is not currently supported."),
    ErrorSpec(131055, 400, "Method not allowed", "Only marketing template messages are supported"),
    # Max price (reference: marketing-messages/pricing, docs/max-price.md).
    ErrorSpec(
        131061,
        400,
        "Marketing templates containing bid_spec are not supported by the Cloud API.",
        "To use templates with a max price (optimization_spec), use the Marketing Messages "
        "API for WhatsApp (/marketing_messages).",
    ),
    ErrorSpec(
        131062,
        400,
        "Business-scoped User ID (BSUID) recipients are not supported for this message.",
        "A max price (bid_spec or a template's optimization_spec) cannot be used with a "
        "business-scoped user id recipient; send to a phone number.",
    ),
    ErrorSpec(
        131056,
        400,
        "(Business Account, Consumer Account) pair rate limit hit",
        "Too many messages sent from the sender phone number to the same recipient phone "
        "number in a short period of time.",
    ),
    ErrorSpec(
        131063,
        400,
        "Marketing templates disabled for Cloud API",
        "Your template is categorized as Marketing, but marketing templates are currently "
        "disabled for your Cloud API configuration.",
    ),
    ErrorSpec(
        132000,
        400,
        "Number of parameters does not match the expected number of params",
        "The number of variable parameter values does not match the template.",
    ),
    ErrorSpec(
        132001,
        404,
        "Template name does not exist in the translation",
        "The template does not exist in the specified language or has not been approved.",
    ),
    ErrorSpec(
        132012,
        400,
        "Parameter format does not match format in the created template",
        "Variable parameter values formatted incorrectly.",
    ),
    ErrorSpec(132015, 400, "Template is paused", "The template is paused due to low quality."),
    ErrorSpec(132016, 400, "Template is disabled", "The template has been disabled."),
    ErrorSpec(
        134100,
        400,
        "Only marketing messages supported",
        "You're only able to send marketing messages on this API.",
    ),
    ErrorSpec(
        134101,
        400,
        "Your template is still syncing",
        "Template sync can take up to 10 minutes; wait and retry.",
    ),
    ErrorSpec(
        134102,
        500,
        "Template unavailable for use",
        "Please check your eligibility status to ensure you are onboarded or contact Meta's "
        "customer support.",
    ),
    # Max price enrolment (marketing-messages/pricing/enroll-max-price): Meta documents
    # the HTTP statuses and texts, not Graph codes; 10 and 4 are Graph's own codes for a
    # missing permission and a call-rate limit (docs/max-price.md).
    ErrorSpec(
        10,
        403,
        "Agreement required",
        "The Solution Partner does not have an accepted max price agreement.",
    ),
    ErrorSpec(
        4,
        429,
        "Application request limit reached",
        "The agreement email was sent less than 5 minutes ago; retry after retry_after seconds.",
    ),
    # mmgate's own codes, documented in docs/errors.md; outside Meta's ranges.
    ErrorSpec(
        1360001,
        502,
        "Upstream not available",
        "WhatsApp for Business API not available.",
    ),
    ErrorSpec(
        1360002,
        410,
        "Message expired",
        "The message was not delivered within its time-to-live (message_send_ttl_seconds).",
    ),
    ErrorSpec(
        1360003,
        409,
        "Delivery outcome unknown",
        "The upstream send may or may not have reached Meta; it is not repeated blindly.",
    ),
    ErrorSpec(1360004, 413, "Request entity too large", "The request body exceeds the size limit."),
    # Intent API (onboard_partners_to_mm_lite): the business was already invited.
    ErrorSpec(
        1752041,
        400,
        "Duplicate Request",
        "Your business has already sent this request. To follow up on the request, contact "
        "the business you're requesting access from.",
    ),
]

CATALOGUE: dict[int, ErrorSpec] = {spec.code: spec for spec in _SPECS}

# Codes that mean "the same request may succeed shortly", the one list the gateway's upstream
# dispatch and the SDK both decide with: Meta's temporary errors (1 API Unknown, 2 API Service,
# 4 API Too Many Calls, 80007 rate limit, 130429 throughput, 131000 something went wrong,
# 131016 service unavailable, 131056 pair rate limit (Meta: wait and retry), 131057 account
# in maintenance) and mmgate's 1360001.
TRANSIENT_CODES = frozenset({1, 2, 4, 80007, 130429, 131000, 131016, 131056, 131057, 1360001})


def is_transient(code: int | None, http_status: int) -> bool:
    """Whether repeating the same request may succeed: a transient code, HTTP 429, or a 5xx
    that names no permanent catalogue code (a proxy's 502 page, an unknown server error).
    A 5xx naming a catalogue code that is not transient (134102) would fail the same way again.
    """
    if code in TRANSIENT_CODES or http_status == 429:
        return True
    return http_status >= 500 and (code is None or code not in CATALOGUE)


class ErrorData(msgspec.Struct):
    messaging_product: str
    details: str


class ErrorObject(msgspec.Struct, kw_only=True):
    """Meta's error object."""

    message: str
    type: str
    code: int
    error_data: ErrorData | msgspec.UnsetType = msgspec.UNSET
    fbtrace_id: str


class GraphErrorAnswer(msgspec.Struct):
    """Graph's error answer: `{"error": {…}}`."""

    error: ErrorObject


class D360ErrorAnswer(msgspec.Struct):
    """The Messaging API's error answer: Meta's error in 360dialog's `detail` wrapper."""

    detail: GraphErrorAnswer


class GraphError(Exception):
    """An error with a catalogue code, raised anywhere and rendered at the edge."""

    def __init__(
        self,
        code: int,
        details: str | None = None,
        *,
        message: str | None = None,
        http_status: int | None = None,
        with_error_data: bool = True,
    ) -> None:
        spec = CATALOGUE.get(code) or ErrorSpec(code, 400, "Unknown error", "")
        self.spec = spec
        self.code = code
        self.details = details if details is not None else spec.details
        self.message = message or f"(#{code}) {spec.title}"
        self.http_status = http_status or spec.http_status
        self.with_error_data = with_error_data
        super().__init__(self.message)

    def graph_answer(self) -> GraphErrorAnswer:
        error = ErrorObject(
            message=self.message, type=self.spec.type, code=self.code, fbtrace_id=new_trace_id()
        )
        if self.with_error_data:
            error.error_data = ErrorData("whatsapp", self.details)
        return GraphErrorAnswer(error)

    def d360_answer(self) -> D360ErrorAnswer:
        return D360ErrorAnswer(self.graph_answer())

    def graph_body(self) -> dict[str, Any]:
        """`graph_answer()` as a dict, for a caller that adds to it."""
        body: dict[str, Any] = msgspec.to_builtins(self.graph_answer())
        return body

    def d360_body(self) -> dict[str, Any]:
        body: dict[str, Any] = msgspec.to_builtins(self.d360_answer())
        return body

    def webhook_error(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.spec.title,
            "message": self.spec.title,
            "error_data": {"details": self.details},
            "href": ERROR_DOCS_HREF,
        }


class Refusal(Exception):
    """A request refused with an HTTP status and a message but no catalogue code (a wrong
    partner key, an unknown id, a body too large): each surface renders it in its own shape
    (mmgate/web/surfaces.py)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def parse_graph_error(body: Any, http_status: int) -> GraphError:
    """Read Meta's error object tolerantly: unknown codes keep their own text."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(body, dict) and isinstance(body.get("detail"), dict):
        error = body["detail"].get("error")
    if not isinstance(error, dict):
        return GraphError(
            131000, f"HTTP {http_status} with no error object", http_status=http_status
        )
    raw_code = error.get("code")
    code = raw_code if isinstance(raw_code, int) else 131000
    data = error.get("error_data")
    details = data.get("details") if isinstance(data, dict) else None
    return GraphError(
        code,
        details if isinstance(details, str) else None,
        message=error.get("message") if isinstance(error.get("message"), str) else None,
        http_status=http_status,
        with_error_data=isinstance(data, dict),
    )
