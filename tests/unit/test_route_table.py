"""The one route table: routes marked FastRoute are found in it and served before the router;
everything else is left to Starlette."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from mmgate.errors import GraphError
from mmgate.gateway.direct import DirectRoutes
from mmgate.web.routing import FastRoute


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def echo(request: Request) -> Response:
    return PlainTextResponse(f"{request.url.path} {dict(request.path_params)}")


async def refuses(request: Request) -> Response:
    raise GraphError(131009, "bad")


class RawSend:
    """A bare ASGI endpoint, as the send path is."""

    def __init__(self) -> None:
        self.scopes: list[Scope] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scopes.append(scope)
        await PlainTextResponse("raw")(scope, receive, send)


def table(raw: RawSend) -> DirectRoutes:
    return DirectRoutes(
        Starlette(
            routes=[
                FastRoute("/messages", raw, methods=["POST"]),
                FastRoute("/graph/{version}/{object_id}/messages", echo, methods=["POST"]),
                FastRoute("/graph/{version}/{object_id}/refuse", refuses, methods=["POST"]),
                Route("/graph/{version}/{object_id}", echo, methods=["GET", "POST"]),
            ]
        )
    )


def scope(method: str, path: str) -> Scope:
    return {"type": "http", "method": method, "path": path, "headers": [], "query_string": b""}


def test_only_marked_routes_with_their_method_are_found() -> None:
    direct = table(RawSend())
    assert direct.find(scope("POST", "/messages")) is not None
    found = direct.find(scope("POST", "/graph/v23.0/123/messages"))
    assert found is not None and found[1] == {"version": "v23.0", "object_id": "123"}
    assert direct.find(scope("GET", "/messages")) is None  # the router answers (405)
    assert direct.find(scope("POST", "/graph/v23.0/123")) is None  # not marked: the router's
    assert direct.find({"type": "websocket", "path": "/messages"}) is None


async def serve(direct: DirectRoutes, method: str, path: str) -> tuple[int, bytes, Any]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    request = scope(method, path)
    found = direct.find(request)
    assert found is not None
    await direct.serve(found, request, receive, send)
    return sent[0]["status"], sent[1]["body"], sent[0]["headers"]


@pytest.mark.anyio
async def test_a_bare_asgi_endpoint_gets_the_connection_as_it_came() -> None:
    raw = RawSend()
    assert (await serve(table(raw), "POST", "/messages"))[:2] == (200, b"raw")
    assert "path_params" not in raw.scopes[0]  # no copy of the scope on the hot path


@pytest.mark.anyio
async def test_an_endpoint_gets_its_path_params_and_its_errors_are_rendered_for_its_surface() -> (
    None
):
    direct = table(RawSend())
    status, body, _ = await serve(direct, "POST", "/graph/v23.0/123/messages")
    assert status == 200 and b"'object_id': '123'" in body
    status, body, _ = await serve(direct, "POST", "/graph/v23.0/123/refuse")
    assert status == 400 and b'"code":131009' in body  # Graph's {"error": ...}
