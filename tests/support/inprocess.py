"""The real app in the test's own process and event loop: its lifespan (store, workers, the
emulator) runs here and requests go through httpx's ASGI transport — no child process, no
socket for the API, the same code as `mmgate serve`. For tests that do not need a process of
their own (a crash, several processes, uvicorn's own limits); see tests/support/server.py.

Outbound webhooks still leave through the network client, so the webhook receiver fixture
(a real HTTP server on 127.0.0.1) receives them; wait for them with the receiver's `*_async`
waits, which leave this event loop free for the app's workers.

A restart is a second `in_process_app` on the same `tmp_path` (the same data dir), with
`seed_path=None` as `mmgate serve` without `--seed`.

A blocking test (the SDK's sync `Client`) uses `threaded_app`: the same app, its event loop
in a thread of this process (anyio's blocking portal), reached through a sync transport.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx
from anyio.from_thread import BlockingPortal

from mmgate.app import MmgateApp, build_app
from mmgate.settings import Settings
from mmgate.workspace import spec
from tests.support import seed


class InProcessApp:
    def __init__(self, app: MmgateApp, http: httpx.AsyncClient) -> None:
        self.app = app
        self.http = http

    @property
    def data_dir(self) -> Path:
        return self.app.settings.data_dir

    @property
    def base_url(self) -> str:
        return self.app.settings.base_url

    def browser(self) -> httpx.AsyncClient:
        """Another client of the same app with its own cookies, as a second browser would be."""
        transport = httpx.ASGITransport(app=self.app)
        return httpx.AsyncClient(transport=transport, base_url=self.base_url)

    async def send(
        self,
        body: Any,
        *,
        key: str = seed.CHANNEL_KEY,
        path: str = "/marketing_messages",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        headers = {"D360-API-KEY": key, **(headers or {})}
        return await self.http.post(path, json=body, headers=headers)

    async def advance(self, seconds: float) -> float:
        """Move the sandbox clock (`POST /sandbox/clock` settles what is due, then jumps),
        then settle again: what the jump made due has run when this returns. A test in a
        child process got that from its next round trip; here the next request could
        overtake the workers, which the jump only wakes."""
        now = await self._move(seconds)
        if seconds:
            await self._move(0)
        return now

    async def _move(self, seconds: float) -> float:
        response = await self.http.post(
            "/sandbox/clock",
            json={"advance_seconds": seconds},
            headers={"X-Sandbox-Key": seed.SANDBOX_KEY},
        )
        response.raise_for_status()
        now: float = response.json()["now"]
        return now

    async def set_webhook(
        self, url: str, headers: dict[str, str] | None = None, key: str = seed.CHANNEL_KEY
    ) -> None:
        response = await self.http.post(
            "/v1/configs/webhook",
            json={"url": url, "headers": headers or {}},
            headers={"D360-API-KEY": key},
        )
        response.raise_for_status()

    async def message(self, wamid: str, key: str = seed.CHANNEL_KEY) -> dict[str, Any]:
        response = await self.http.get(f"/v1/messages/{wamid}", headers={"D360-API-KEY": key})
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    async def deliveries(self, **params: Any) -> list[dict[str, Any]]:
        """The seed partner's webhook deliveries (Partner API), filtered by `params`."""
        response = await self.http.get(
            f"/api/v2/partners/{seed.PARTNER_ID}/webhook_deliveries",
            params=params,
            headers={"X-API-Key": seed.PARTNER_KEY},
        )
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()["data"]["deliveries"]
        return found


TEST_SEED = Path("<the test seed>")  # tests/support/seed.py, written to tmp_path


@contextlib.asynccontextmanager
async def in_process_app(
    tmp_path: Path,
    *,
    seed_path: Path | None = TEST_SEED,
    env: Mapping[str, str] | None = None,
    **settings: Any,
) -> AsyncIterator[InProcessApp]:
    """The app on a frozen sandbox clock, its data in `tmp_path / "data"`.

    `seed_path`: the workspace to provision (default: the test seed; None: none, as
    `mmgate serve` without `--seed`: the demo workspace, or what the data dir holds).
    `env`: MMGATE_* variables, read as `mmgate serve` reads them; `settings` override both.
    SQLite's writer runs in a thread unless `env` or `settings` say otherwise.
    """
    if seed_path is TEST_SEED:
        seed_path = seed.write_seed(tmp_path)
    # SQLite's writer in a thread, not a process of its own (the default of `mmgate serve`,
    # which the child-process tests keep): this fixture is for tests that need no process,
    # and the storage contract runs on both writers (tests/integration/storage).
    defaults = {"data_dir": tmp_path / "data", "clock": "frozen"}
    if "MMGATE_SQLITE_WRITER" not in (env or {}):
        defaults["sqlite_writer"] = "thread"
    config = Settings.from_env(env or {}, **{**defaults, **settings})
    app = build_app(config, seed=spec.load(seed_path) if seed_path is not None else None)
    async with app.starlette.router.lifespan_context(app.starlette):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=config.base_url) as http:
            yield InProcessApp(app, http)


class PortalTransport(httpx.BaseTransport):
    """A sync transport into the app's event loop, which runs in another thread."""

    def __init__(self, portal: BlockingPortal, app: MmgateApp) -> None:
        self._portal = portal
        self._asgi = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._portal.call(self._send, request)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        answer = await self._asgi.handle_async_request(request)
        body = await answer.aread()
        return httpx.Response(answer.status_code, headers=answer.headers, content=body)


class ThreadedApp:
    """The in-process app for a blocking test: calls cross into the app's thread."""

    def __init__(self, app: InProcessApp, portal: BlockingPortal) -> None:
        self.app = app
        self.portal = portal
        self.http = httpx.Client(transport=self.transport(), base_url=app.base_url)

    @property
    def data_dir(self) -> Path:
        return self.app.data_dir

    @property
    def base_url(self) -> str:
        return self.app.base_url

    def transport(self) -> httpx.BaseTransport:
        return PortalTransport(self.portal, self.app.app)

    def send(self, body: Any, *, key: str = seed.CHANNEL_KEY) -> httpx.Response:
        return self.http.post("/marketing_messages", json=body, headers={"D360-API-KEY": key})

    def advance(self, seconds: float) -> float:
        return self.portal.call(self.app.advance, seconds)

    def set_webhook(self, url: str, key: str = seed.CHANNEL_KEY) -> None:
        self.portal.call(functools.partial(self.app.set_webhook, url, key=key))

    def message(self, wamid: str, key: str = seed.CHANNEL_KEY) -> dict[str, Any]:
        return self.portal.call(self.app.message, wamid, key)


@contextlib.contextmanager
def threaded(
    running: contextlib.AbstractAsyncContextManager[InProcessApp],
) -> Iterator[ThreadedApp]:
    """An in-process app (`in_process_app(...)` or a helper built on it) entered in an event
    loop of its own, in a thread of this process."""
    with (
        anyio.from_thread.start_blocking_portal("asyncio") as portal,
        portal.wrap_async_context_manager(running) as app,
    ):
        served = ThreadedApp(app, portal)
        try:
            yield served
        finally:
            served.http.close()


def threaded_app(tmp_path: Path, **options: Any) -> contextlib.AbstractContextManager[ThreadedApp]:
    """`in_process_app` (same options), its event loop in a thread of this process."""
    return threaded(in_process_app(tmp_path, **options))
