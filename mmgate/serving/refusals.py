"""A request refused before its handler runs, answered in its surface's own shape."""

from __future__ import annotations

from mmgate.errors import Refusal
from mmgate.web.surfaces import error_response


def refusal(path: str, status: int, message: str) -> tuple[bytes, bytes]:
    """(content type, body) for a refused request on `path` (mmgate/web/surfaces.py)."""
    response = error_response(path, Refusal(status, message))
    return response.headers["content-type"].encode(), bytes(response.body)
