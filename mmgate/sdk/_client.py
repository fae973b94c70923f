"""`Client` and `AsyncClient`: the same operations, differing only in how a step is performed."""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, Self, TypeVar

import anyio
import httpx

from mmgate.sdk import _operations as ops
from mmgate.sdk._flow import Finished, Flow, Outcome, Pause, Step, resume
from mmgate.sdk._requests import DEFAULT_BASE_URL, Config
from mmgate.sdk._retry import Retry
from mmgate.sdk._workspace import read_workspace

P = ParamSpec("P")
T = TypeVar("T")
M = TypeVar("M", bound=Callable[..., Any])


class _ClientBase:
    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        partner_base_url: str | None = None,
        partner_api_key: str | None = None,
        partner_id: str | None = None,
        sandbox_key: str | None = None,
        retry: Retry | None = None,
    ) -> None:
        self._config = Config(
            base_url=base_url,
            partner_base_url=partner_base_url,
            api_key=api_key,
            partner_api_key=partner_api_key,
            partner_id=partner_id,
            sandbox_key=sandbox_key,
            retry=retry or Retry(),
        )

    @classmethod
    def from_workspace(cls, data_dir: str | Path = ".mmgate", **options: Any) -> Self:
        """A client with the keys `mmgate serve` wrote to `data_dir` (options override them)."""
        data = read_workspace(Path(data_dir))
        if data is None:
            raise FileNotFoundError(f"no mmgate workspace in {data_dir}: run `mmgate serve`")
        found = {
            "api_key": data.get("channel_api_key"),
            "base_url": data.get("base_url") or DEFAULT_BASE_URL,
            "partner_api_key": data.get("partner_api_key"),
            "partner_id": data.get("partner_id"),
            "sandbox_key": data.get("sandbox_key"),
        }
        return cls(**{**found, **options})

    @property
    def base_url(self) -> str:
        return self._config.base_url


def _bind_sync(
    operation: Callable[Concatenate[Config, P], Flow[T]],
) -> Callable[Concatenate[Client, P], T]:
    def method(self: Client, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self._run(operation(self._config, *args, **kwargs))

    return _described(method, operation)


def _bind_async(
    operation: Callable[Concatenate[Config, P], Flow[T]],
) -> Callable[Concatenate[AsyncClient, P], Coroutine[Any, Any, T]]:
    async def method(self: AsyncClient, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._run(operation(self._config, *args, **kwargs))

    return _described(method, operation)


def _described(method: M, operation: Callable[..., Any]) -> M:
    """Name, docstring and signature of the operation, with `self` for `config`."""
    functools.update_wrapper(method, operation)
    described: Any = method
    del described.__wrapped__
    signature = inspect.signature(operation)
    self_parameter = inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)
    parameters = [self_parameter, *list(signature.parameters.values())[1:]]
    described.__signature__ = signature.replace(
        parameters=parameters, return_annotation=_answer(signature.return_annotation)
    )
    return method


def _answer(annotation: Any) -> Any:
    """`Flow[SendResponse]` -> `SendResponse`: what the bound method gives back."""
    text = str(annotation)
    return text[len("Flow[") : -1] if text.startswith("Flow[") else annotation


class Client(_ClientBase):
    """The Messaging, Partner and sandbox APIs, with blocking I/O.

    `Client(api_key, base_url=...)` talks to mmgate or any 360dialog-compatible host (whose
    Partner API may live elsewhere: `partner_base_url`, e.g. https://hub.360dialog.io);
    `Client.from_workspace()` reads the keys of a local `mmgate serve`.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        partner_base_url: str | None = None,
        partner_api_key: str | None = None,
        partner_id: str | None = None,
        sandbox_key: str | None = None,
        retry: Retry | None = None,
        timeout: float = 10.0,
        http: httpx.Client | None = None,
    ) -> None:
        super().__init__(
            api_key,
            base_url=base_url,
            partner_base_url=partner_base_url,
            partner_api_key=partner_api_key,
            partner_id=partner_id,
            sandbox_key=sandbox_key,
            retry=retry,
        )
        self._http = http or httpx.Client(timeout=timeout)

    def _run(self, flow: Flow[T]) -> T:
        step = resume(flow, None)
        while not isinstance(step, Finished):
            step = resume(flow, self._perform(step))
        return step.value

    def _perform(self, step: Step) -> Outcome:
        if isinstance(step, Pause):
            time.sleep(step.seconds)
            return None
        try:
            return self._http.send(step)
        except httpx.TransportError as exc:
            return exc

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    send_marketing_message = _bind_sync(ops.send_marketing_message)
    send_message = _bind_sync(ops.send_message)
    get_message = _bind_sync(ops.get_message)
    set_webhook = _bind_sync(ops.set_webhook)
    get_webhook = _bind_sync(ops.get_webhook)
    partner_request = _bind_sync(ops.partner_request)
    get_partner = _bind_sync(ops.get_partner)
    get_spend = _bind_sync(ops.get_spend)
    set_marketing_templates_routing = _bind_sync(ops.set_marketing_templates_routing)
    sandbox_clock = _bind_sync(ops.sandbox_clock)
    sandbox_recipient = _bind_sync(ops.sandbox_recipient)


class AsyncClient(_ClientBase):
    """The same operations as `Client`, to be awaited (asyncio or trio)."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        partner_base_url: str | None = None,
        partner_api_key: str | None = None,
        partner_id: str | None = None,
        sandbox_key: str | None = None,
        retry: Retry | None = None,
        timeout: float = 10.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            api_key,
            base_url=base_url,
            partner_base_url=partner_base_url,
            partner_api_key=partner_api_key,
            partner_id=partner_id,
            sandbox_key=sandbox_key,
            retry=retry,
        )
        self._http = http or httpx.AsyncClient(timeout=timeout)

    async def _run(self, flow: Flow[T]) -> T:
        step = resume(flow, None)
        while not isinstance(step, Finished):
            step = resume(flow, await self._perform(step))
        return step.value

    async def _perform(self, step: Step) -> Outcome:
        if isinstance(step, Pause):
            await anyio.sleep(step.seconds)
            return None
        try:
            return await self._http.send(step)
        except httpx.TransportError as exc:
            return exc

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    send_marketing_message = _bind_async(ops.send_marketing_message)
    send_message = _bind_async(ops.send_message)
    get_message = _bind_async(ops.get_message)
    set_webhook = _bind_async(ops.set_webhook)
    get_webhook = _bind_async(ops.get_webhook)
    partner_request = _bind_async(ops.partner_request)
    get_partner = _bind_async(ops.get_partner)
    get_spend = _bind_async(ops.get_spend)
    set_marketing_templates_routing = _bind_async(ops.set_marketing_templates_routing)
    sandbox_clock = _bind_async(ops.sandbox_clock)
    sandbox_recipient = _bind_async(ops.sandbox_recipient)
