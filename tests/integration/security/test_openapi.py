"""The committed OpenAPI document is the app's: every API route the app registers is in
it and every operation in it is a route the app registers; the committed file is what
the app serves; every documented operation documents its auth error."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.routing import BaseRoute, Mount, Route

from mmgate.app import MmgateApp
from mmgate.emulator import routes as emulator_routes
from mmgate.gateway import openapi
from mmgate.settings import Settings
from tests.support.inprocess import InProcessApp

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"
# Not API: the browser pages (Hub, onboarding link) have their own tests (tests/ui,
# tests/onboarding); the emulator's routes are Meta's side, documented by Meta.
BROWSER_PREFIXES = ("/hub", "/onboard/")
BROWSER_PAGES = {"/", "/favicon.ico"}  # the landing page and its icon
METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE"}


def _walk(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    for route in routes:
        if isinstance(route, Mount):
            yield from _walk(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            path = re.sub(r"\{(\w+):\w+\}", r"{\1}", prefix + route.path)
            for method in route.methods or ():
                if method in METHODS:
                    yield method, path


def _registered(tmp_path: Path) -> set[tuple[str, str]]:
    app = MmgateApp(Settings(data_dir=tmp_path / "data"))
    emulator = set(_walk(emulator_routes.routes()))
    found = set(_walk(app.starlette.routes))  # the send path too: one table
    return {
        (method, path)
        for method, path in found - emulator
        if not path.startswith(BROWSER_PREFIXES) and path not in BROWSER_PAGES
    }


def _documented() -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in openapi.document()["paths"].items()
        for method in item
        if method.upper() in METHODS
    }


def test_every_registered_route_is_documented_and_vice_versa(tmp_path: Path) -> None:
    registered = _registered(tmp_path)
    documented = _documented()
    assert registered - documented == set(), "routes missing from the OpenAPI document"
    assert documented - registered == set(), "documented operations the app does not have"
    assert len(documented) >= 30


def test_one_route_table_registers_each_path_and_method_once(tmp_path: Path) -> None:
    app = MmgateApp(Settings(data_dir=tmp_path / "data"))
    pairs = list(_walk(app.starlette.routes))
    assert len(pairs) == len(set(pairs)), sorted(p for p in pairs if pairs.count(p) > 1)
    assert ("POST", "/messages") in pairs and ("POST", "/meta/webhook") in pairs


def test_the_committed_document_is_the_built_one() -> None:
    assert COMMITTED.read_text() == openapi.rendered(), (
        "docs/openapi.json is stale: python -m mmgate.gateway.openapi > docs/openapi.json"
    )


def test_every_authenticated_operation_documents_its_auth_error() -> None:
    for path, item in openapi.document()["paths"].items():
        for method, op in item.items():
            if method == "parameters" or not op.get("security"):
                continue
            assert "401" in op["responses"], (method, path)
            if path.startswith("/api/v2/partners"):
                assert {"403", "429"} <= set(op["responses"]), (method, path)


@pytest.mark.anyio
async def test_the_app_serves_the_committed_document(app: InProcessApp) -> None:
    response = await app.http.get("/openapi.json")
    assert response.status_code == 200
    assert response.json() == json.loads(COMMITTED.read_text())
