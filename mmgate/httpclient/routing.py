"""Picks the in-process client for one origin (this process's own app) and the network
for every other URL."""

from __future__ import annotations

from collections.abc import Mapping

from mmgate.httpclient.base import HttpClient, HttpResponse


class RoutingClient:
    def __init__(self, origin: str, local: HttpClient, network: HttpClient) -> None:
        self._origin = origin.rstrip("/") + "/"
        self._local = local
        self._network = network

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        time_limit: float | None = None,
    ) -> HttpResponse:
        client = self._local if url.startswith(self._origin) else self._network
        return await client.request(method, url, headers=headers, body=body, time_limit=time_limit)

    async def aclose(self) -> None:
        await self._local.aclose()
        await self._network.aclose()
