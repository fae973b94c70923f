"""The one Graph API client: base URL, auth, timeouts and error mapping in one place.

Pointed at graph.facebook.com in production, at the embedded emulator by default
(through the in-process client: the same bytes, no socket).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import msgspec

from mmgate.errors import GraphError, is_transient, parse_graph_error
from mmgate.httpclient import HttpClient, RequestFailed


class UpstreamUnavailable(Exception):
    """The request did not get an answer from Meta.

    `may_have_arrived` is False when the request provably never left (connection
    refused, connect timeout): only then is it safe to send again.
    """

    def __init__(self, reason: str, *, may_have_arrived: bool) -> None:
        super().__init__(reason)
        self.may_have_arrived = may_have_arrived


def is_retryable(error: GraphError) -> bool:
    return is_transient(error.code, error.http_status)


class GraphClient:
    def __init__(
        self,
        base_url: str,
        version: str,
        token: str,
        *,
        http: HttpClient,
        timeout: float = 20.0,
    ) -> None:
        self._base = f"{base_url.rstrip('/')}/{version}/"
        self._http = http
        self._timeout = timeout
        self._token = token

    def set_token(self, token: str) -> None:
        self._token = token

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
        url = self._base + path
        if params:
            url += "?" + urlencode(params)
        try:
            response = await self._http.request(
                method, url, headers=headers, body=content, time_limit=self._timeout
            )
        except RequestFailed as exc:
            raise UpstreamUnavailable(str(exc), may_have_arrived=exc.may_have_arrived) from exc
        try:
            body = msgspec.json.decode(response.body) if response.body else None
        except msgspec.DecodeError:
            body = None
        if response.status >= 400:
            raise parse_graph_error(body, response.status)
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

    async def edge(self, object_id: str, edge: str, params: dict[str, str]) -> dict[str, Any]:
        """`GET /{object_id}/{edge}` (max price: reachestimate, insights)."""
        body = await self._request("GET", f"{object_id}/{edge}", params=params)
        return body if isinstance(body, dict) else {}

    async def update_object(self, object_id: str, body: bytes) -> dict[str, Any]:
        """`POST /{object_id}` (max price: a template's optimization_spec)."""
        answer = await self._request("POST", object_id, content=body)
        return answer if isinstance(answer, dict) else {}

    async def create_template(self, waba_id: str, template: bytes) -> dict[str, Any]:
        body = await self._request("POST", f"{waba_id}/message_templates", content=template)
        return body if isinstance(body, dict) else {}

    async def message_templates(self, waba_id: str, name: str | None) -> list[dict[str, Any]]:
        params = {
            "fields": "name,language,status,category,components,message_send_ttl_seconds,"
            "optimization_spec",
            "limit": "250",
        }
        if name is not None:
            params["name"] = name
        body = await self._request("GET", f"{waba_id}/message_templates", params=params)
        data = body.get("data") if isinstance(body, dict) else None
        return [t for t in data if isinstance(t, dict)] if isinstance(data, list) else []
