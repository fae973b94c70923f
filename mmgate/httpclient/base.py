"""The interface every outbound caller uses: a request in, a whole response out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]  # names in lower case
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class RequestFailed(Exception):
    """No HTTP answer arrived.

    `may_have_arrived` is False only when the request provably never reached the
    server (refused, unresolvable, connect timeout): only then is a resend safe.
    """

    def __init__(self, reason: str, *, may_have_arrived: bool) -> None:
        super().__init__(reason)
        self.may_have_arrived = may_have_arrived


class HttpClient(Protocol):
    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        time_limit: float | None = None,
    ) -> HttpResponse: ...

    async def aclose(self) -> None: ...
