"""Helpers for the Partner Hub's tests: Hub users made with the real CLI, a second
partner in the same server, and a signed-in HTTP client that carries CSRF tokens."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from mmgate.ui.accounts import as_hub_store, save_user
from tests.support import seed
from tests.support.inprocess import InProcessApp, in_process_app
from tests.support.server import ServerProcess

EMAIL = "ann@test.example"
PASSWORD = "correct horse battery"
RIVAL_EMAIL = "rex@rival.example"
RIVAL_PASSWORD = "another long password"

# A second partner with its own client, WABA, number and key, on the same Meta app.
RIVAL_PARTNER_ID = "pt_rival"
RIVAL_PARTNER_KEY = "partner-key-rival-0000000000000000"
RIVAL_WABA_ID = "200000000000099"
RIVAL_PHONE_NUMBER_ID = "300000000000099"
RIVAL_CHANNEL_KEY = "channel-key-rival-0000000000000000"
RIVAL_SEED_TOML = f"""
[partner]
id = "{RIVAL_PARTNER_ID}"
name = "Rival Partner"
api_key = "{RIVAL_PARTNER_KEY}"
webhook_secret = "whsec-rival-0000000000"

[meta]
graph_token = "{seed.GRAPH_TOKEN}"
app_secret = "{seed.APP_SECRET}"
verify_token = "{seed.VERIFY_TOKEN}"

[sandbox]
key = "{seed.SANDBOX_KEY}"

[[clients]]
business_id = "100000000000099"
name = "Rival Client Secret Co"
mm_terms_signed = true

[[clients.wabas]]
id = "{RIVAL_WABA_ID}"
name = "Rival WABA"

[[clients.wabas.channels]]
phone_number_id = "{RIVAL_PHONE_NUMBER_ID}"
display_phone_number = "15550009999"
api_key = "{RIVAL_CHANNEL_KEY}"

[[clients.wabas.templates]]
name = "rival_secret_promo"
language = "en"
category = "MARKETING"
body = "Rival sale."
"""

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_hub_user(
    server: ServerProcess | InProcessApp, partner_id: str, email: str, password: str
) -> subprocess.CompletedProcess[str]:
    """`mmgate hub add-user`, run as an operator would, against the server's data dir."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mmgate.cli.hub",
            "add-user",
            "--data-dir",
            str(server.data_dir),
            "--partner-id",
            partner_id,
            "--email",
            email,
            "--password",
            password,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def start_two_partners(tmp_path: Path, env: dict[str, str] | None = None) -> ServerProcess:
    """The test partner and a rival in one server: provision the rival, then restart
    with the test seed (provisioning is additive), with a Hub user for each."""
    data_dir = tmp_path / "data"
    rival_seed = tmp_path / "rival.toml"
    rival_seed.write_text(RIVAL_SEED_TOML)
    ServerProcess(data_dir, rival_seed, env).stop()
    server = ServerProcess(data_dir, seed.write_seed(tmp_path), env)
    for partner_id, email, password in (
        (seed.PARTNER_ID, EMAIL, PASSWORD),
        (RIVAL_PARTNER_ID, RIVAL_EMAIL, RIVAL_PASSWORD),
    ):
        added = add_hub_user(server, partner_id, email, password)
        assert added.returncode == 0, added.stderr
    return server


def form(data: dict[str, str] | None, csrf: str | None) -> dict[str, str]:
    """A form's fields with its CSRF token, as the Hub's pages post them."""
    fields = dict(data or {})
    if csrf:
        fields["csrf_token"] = csrf
    return fields


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None, "no CSRF token in the page"
    return found.group(1)


class HubClient:
    """A browser-like HTTP client: keeps cookies, never follows redirects by itself."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.base_url, timeout=30.0)
        self.csrf = ""

    def close(self) -> None:
        self.http.close()

    def login(self, email: str = EMAIL, password: str = PASSWORD) -> httpx.Response:
        form = self.http.get("/hub/login")
        response = self.http.post(
            "/hub/login",
            data={"csrf_token": csrf_of(form.text), "email": email, "password": password},
        )
        if response.status_code == 303:
            self.csrf = csrf_of(self.get("/hub/").text)
        return response

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(path, params=params)

    def post(
        self, path: str, data: dict[str, str] | None = None, *, csrf: str | None = None
    ) -> httpx.Response:
        return self.http.post(path, data=form(data, self.csrf if csrf is None else csrf))


# The same for the app in process (tests/support/inprocess.py).


@contextlib.asynccontextmanager
async def two_partners_app(tmp_path: Path) -> AsyncIterator[InProcessApp]:
    """The test partner and a rival in one app: provision the rival, then restart with
    the test seed (provisioning is additive), with a Hub user for each."""
    rival_seed = tmp_path / "rival.toml"
    rival_seed.write_text(RIVAL_SEED_TOML)
    async with in_process_app(tmp_path, seed_path=rival_seed):
        pass
    async with in_process_app(tmp_path) as app:
        for partner_id, email, password in (
            (seed.PARTNER_ID, EMAIL, PASSWORD),
            (RIVAL_PARTNER_ID, RIVAL_EMAIL, RIVAL_PASSWORD),
        ):
            await add_hub_user_async(app, partner_id, email, password)
        yield app


async def add_hub_user_async(app: InProcessApp, partner_id: str, email: str, password: str) -> None:
    """What `mmgate hub add-user` does (mmgate/cli/hub.py), on the app's own store; the
    command itself is tested in tests/integration/cli."""
    hub = as_hub_store(app.app.store)
    assert hub is not None
    await save_user(hub, partner_id, email, password, time.time())


class AsyncHubClient:
    """HubClient for the app in process: its own cookies, no redirects followed."""

    def __init__(self, app: InProcessApp) -> None:
        self.app = app
        self.http = app.browser()
        self.csrf = ""

    async def __aenter__(self) -> AsyncHubClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    async def login(self, email: str = EMAIL, password: str = PASSWORD) -> httpx.Response:
        form = await self.http.get("/hub/login")
        response = await self.http.post(
            "/hub/login",
            data={"csrf_token": csrf_of(form.text), "email": email, "password": password},
        )
        if response.status_code == 303:
            self.csrf = csrf_of((await self.get("/hub/")).text)
        return response

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.http.get(path, params=params)

    async def post(
        self, path: str, data: dict[str, str] | None = None, *, csrf: str | None = None
    ) -> httpx.Response:
        return await self.http.post(path, data=form(data, self.csrf if csrf is None else csrf))
