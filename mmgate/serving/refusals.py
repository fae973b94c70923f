"""A request refused before its handler runs, answered in its surface's own shape."""

from __future__ import annotations

from typing import Any

import msgspec

from mmgate.errors import GraphError
from mmgate.ids import new_trace_id

_MESSAGING_PREFIXES = ("/messages", "/marketing_messages", "/v1/")


def refusal(path: str, status: int, message: str) -> tuple[bytes, bytes]:
    """(content type, body) for a refused request on `path`."""
    if path.startswith(_MESSAGING_PREFIXES):
        return _json(_graph_error(status, message).d360_body())
    if path.startswith("/graph/"):
        return _json(_graph_error(status, message).graph_body())
    if path.startswith("/api/v2/partners"):
        return _json(_partner_envelope(status, message))
    if path.startswith("/sandbox/"):
        return _json({"error": {"message": message, "code": status}})
    return b"text/plain; charset=utf-8", message.encode()


def _graph_error(status: int, message: str) -> GraphError:
    code = 1360004 if status == 413 else 100
    return GraphError(code, message, http_status=status)


def _partner_envelope(status: int, message: str) -> dict[str, Any]:
    meta = {
        "developer_message": message,
        "http_code": status,
        "success": False,
        "360dialog_trace_id": new_trace_id(),
    }
    return {"meta": meta, "status_code": status, "data": {}}


def _json(body: Any) -> tuple[bytes, bytes]:
    return b"application/json", msgspec.json.encode(body)
