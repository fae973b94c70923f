"""The sans-I/O core: every operation is a generator that yields what it needs done.

An operation yields an `httpx.Request` to have it sent (and is resumed with the
`httpx.Response`, or has the transport error thrown in), or a `Pause` to have
the client wait. All protocol logic (building, retrying, parsing) lives in these
generators; `Client` and `AsyncClient` only perform the steps, one with blocking
I/O and one with `await` — the same idea as httpx's `Auth.auth_flow`.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

import httpx

from mmgate.sdk._errors import TransportError
from mmgate.sdk._retry import Retry

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Pause:
    seconds: float


Step = httpx.Request | Pause
Outcome = httpx.Response | httpx.TransportError | None
Flow = Generator[Step, httpx.Response | None, T]


@dataclass(frozen=True, slots=True)
class Finished(Generic[T]):
    value: T


def resume(flow: Flow[T], outcome: Outcome) -> Step | Finished[T]:
    """Feed the last step's outcome to `flow`; return its next step or its result."""
    try:
        if isinstance(outcome, httpx.TransportError):
            return flow.throw(outcome)
        return flow.send(outcome)
    except StopIteration as done:
        return Finished(cast(T, done.value))


def exchange(request: httpx.Request, retry: Retry) -> Flow[httpx.Response]:
    """Send `request`, repeating it as `retry` allows; the final response, even an error."""
    attempt = 1
    while True:
        try:
            response = yield request
        except httpx.TransportError as exc:
            if attempt >= retry.attempts:
                raise TransportError(
                    f"cannot reach {request.url.scheme}://{request.url.netloc.decode()}: "
                    f"{type(exc).__name__}: {exc}".rstrip(": ")
                ) from exc
            delay = retry.delay(attempt)
        else:
            assert response is not None
            if attempt >= retry.attempts or not retry.should_retry(response):
                return response
            delay = retry.delay(attempt, response.headers.get("retry-after"))
        yield Pause(delay)
        attempt += 1
