"""Which extra headers a client may ask its webhooks to carry.

Refused when configured, never discovered at delivery: a header that changes how the
request is framed or routed (Content-Length: 0 dropped the body and the delivery still
counted as done; Transfer-Encoding beside Content-Length; Host, which would also aim a
request past the SSRF guard), one that replaces our own signature, a name that is not
an HTTP token, or a value with control characters (NUL, CR, LF, VT…: every delivery
would then fail for the whole retry span).
"""

from __future__ import annotations

import re

MAX_HEADERS = 20
MAX_NAME = 256
MAX_VALUE = 4096
# RFC 9110 token characters.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Visible ASCII, space and horizontal tab (RFC 9110 field-value, without obs-text).
_VALUE = re.compile(r"[\t\x20-\x7e]*")
_RESERVED = frozenset(
    {
        # framing and routing: ours to set
        "content-length",
        "transfer-encoding",
        "host",
        "connection",
        "keep-alive",
        "upgrade",
        "te",
        "trailer",
        "expect",
        "proxy-connection",
        "content-encoding",
        # what the receiver verifies: ours to set
        "x-mmgate-signature-256",
        "x-mmgate-timestamp",
        "x-hub-signature-256",
    }
)


class HeaderRefused(ValueError):
    pass


def check_headers(headers: dict[str, str]) -> None:
    if len(headers) > MAX_HEADERS:
        raise HeaderRefused(f"At most {MAX_HEADERS} custom headers are allowed.")
    seen: set[str] = set()
    for name, value in headers.items():
        check_header(name, value)
        if name.lower() in seen:
            raise HeaderRefused(f"The header '{name}' is given twice.")
        seen.add(name.lower())


def check_header(name: str, value: str) -> None:
    shown = name.encode("unicode_escape").decode()[:64]
    if len(name) > MAX_NAME or not _TOKEN.fullmatch(name):
        raise HeaderRefused(f"Invalid header name '{shown}': it must be an HTTP token.")
    if name.lower() in _RESERVED:
        raise HeaderRefused(f"The header '{shown}' is set by mmgate and cannot be configured.")
    if len(value) > MAX_VALUE or not _VALUE.fullmatch(value):
        raise HeaderRefused(
            f"Invalid value for header '{shown}': printable ASCII only, at most {MAX_VALUE} "
            "characters, no control characters."
        )
