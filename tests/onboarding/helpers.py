"""Small helpers shared by the onboarding and browser tests."""

from __future__ import annotations

import re
from typing import Any

from tests.support import seed
from tests.support.receiver import Received

GRAPH_AUTH = {"Authorization": f"Bearer {seed.GRAPH_TOKEN}"}
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_from(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "no CSRF field on the page"
    return found.group(1)


def terms_signed(requests: list[Received]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(entry, value) of every MM_LITE_TERMS_SIGNED account_update in the requests."""
    found = []
    for request in requests:
        body = request.json()
        for entry in body.get("entry", []):
            for change in entry.get("changes", []):
                value = change.get("value", {})
                if change.get("field") == "account_update" and (
                    value.get("event") == "MM_LITE_TERMS_SIGNED"
                ):
                    found.append((entry, value))
    return found


def signed_waba_ids(requests: list[Received]) -> list[str]:
    return [value["waba_info"]["waba_id"] for _, value in terms_signed(requests)]
