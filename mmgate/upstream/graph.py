"""The one Graph API client: base URL, auth, timeouts and error mapping in one place.

Pointed at graph.facebook.com in production, at the embedded emulator by default
(through an in-process ASGI transport: the same bytes, no socket).
"""

from __future__ import annotations

from typing import Any

import httpx
import msgspec

from mmgate.errors import GraphError, parse_graph_error

RETRYABLE_CODES = frozenset({1, 2, 4, 80007, 130429, 131000, 131016, 131057})


class UpstreamUnavailable(Exception):
    """The request did not get an answer from Meta.

    `may_have_arrived` is False when the request provably never left (connection
    refused, connect timeout): only then is it safe to send again.
    """

    def __init__(self, reason: str, *, may_have_arrived: bool) -> None:
        super().__init__(reason)
        self.may_have_arrived = may_have_arrived


def is_retryable(error: GraphError) -> bool:
    return error.code in RETRYABLE_CODES or error.http_status >= 500


class GraphClient:
    def __init__(
        self,
        base_url: str,
        version: str,
        token: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 20.0,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=f"{base_url.rstrip('/')}/{version}/",
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=5.0),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
        )
        self._token = token

    def set_token(self, token: str) -> None:
        self._token = token

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        headers = {"Authorization": f"Bearer {self._token}"}
        if content is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = await self._http.request(
                method, path, content=content, params=params, headers=headers
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise UpstreamUnavailable(
                f"{type(exc).__name__}: {exc}", may_have_arrived=False
            ) from exc
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable(
                f"{type(exc).__name__}: {exc}", may_have_arrived=True
            ) from exc
        try:
            body = msgspec.json.decode(response.content) if response.content else None
        except msgspec.DecodeError:
            body = None
        if response.status_code >= 400:
            raise parse_graph_error(body, response.status_code)
        return body

    async def send(self, phone_number_id: str, endpoint: str, payload: bytes) -> str:
        """Send one message; returns Meta's wamid."""
        body = await self._request("POST", f"{phone_number_id}/{endpoint}", content=payload)
        try:
            return str(body["messages"][0]["id"])
        except (TypeError, KeyError, IndexError):
            raise GraphError(131000, "Upstream answered without a message id.") from None

    async def object_fields(self, object_id: str, fields: str) -> dict[str, Any]:
        body = await self._request("GET", object_id, params={"fields": fields})
        return body if isinstance(body, dict) else {}

    async def create_template(self, waba_id: str, template: bytes) -> dict[str, Any]:
        body = await self._request("POST", f"{waba_id}/message_templates", content=template)
        return body if isinstance(body, dict) else {}

    async def message_templates(self, waba_id: str, name: str | None) -> list[dict[str, Any]]:
        params = {
            "fields": "name,language,status,category,components,message_send_ttl_seconds",
            "limit": "250",
        }
        if name is not None:
            params["name"] = name
        body = await self._request("GET", f"{waba_id}/message_templates", params=params)
        data = body.get("data") if isinstance(body, dict) else None
        return [t for t in data if isinstance(t, dict)] if isinstance(data, list) else []
