"""HTTP/1.1 over the network with a keep-alive pool (aiohttp's client)."""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

from mmgate.httpclient.base import HttpResponse, RequestFailed

# Receivers' answers are kept as an excerpt; a huge or endless body must not fill memory.
MAX_RESPONSE_BYTES = 1 << 20
CONNECT_TIMEOUT = 5.0


class NetworkClient:
    def __init__(self, *, timeout: float = 20.0, connections_per_host: int = 64) -> None:
        self._timeout = timeout
        self._per_host = connections_per_host
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Made on first use: a session belongs to the running event loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0, limit_per_host=self._per_host),
                auto_decompress=True,
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        time_limit: float | None = None,
    ) -> HttpResponse:
        total = self._timeout if time_limit is None else time_limit
        limits = aiohttp.ClientTimeout(total=total, connect=min(CONNECT_TIMEOUT, total))
        try:
            async with self._client().request(
                method,
                url,
                headers=dict(headers or {}),
                data=body,
                timeout=limits,
                allow_redirects=False,
            ) as response:
                content = await response.content.read(MAX_RESPONSE_BYTES)
                return HttpResponse(
                    response.status,
                    {k.lower(): v for k, v in response.headers.items()},
                    content,
                )
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            raise RequestFailed(_reason(exc), may_have_arrived=False) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RequestFailed(_reason(exc), may_have_arrived=True) from exc
        except ValueError as exc:  # a URL aiohttp cannot use
            raise RequestFailed(_reason(exc), may_have_arrived=False) from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _reason(exc: BaseException) -> str:
    text = str(exc) or "no detail"
    return f"{type(exc).__name__}: {text}"
