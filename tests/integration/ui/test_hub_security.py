"""The Hub's doors, against the real server: login required, CSRF on every form,
session expiry and logout, brute-force limits, and one partner never seeing another's
data (the rival partner lives in the same app)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from subprocess import CompletedProcess

import anyio.to_thread
import pytest

from mmgate.ids import key_hash
from tests.integration.ui import hub_support as hs
from tests.support import seed
from tests.support.inprocess import InProcessApp
from tests.support.receiver import WebhookReceiver

pytestmark = pytest.mark.anyio

PAGES = [
    "/hub/",
    "/hub/integration",
    "/hub/clients",
    "/hub/channels",
    "/hub/messages",
    "/hub/webhooks",
    "/hub/analytics",
    "/hub/webhooks/1",
    "/hub/messages/wamid.x",
]
FORMS = [
    "/hub/integration/routing",
    "/hub/integration/webhook",
    f"/hub/channels/{seed.PHONE_NUMBER_ID}/keys",
    "/hub/keys/revoke",
    "/hub/webhooks/replay",
    "/hub/webhooks/1/replay",
    "/hub/logout",
]
ROUTING = f"/api/v2/partners/{seed.PARTNER_ID}/settings/marketing_templates_routing"


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[InProcessApp]:
    async with hs.two_partners_app(tmp_path) as running:
        yield running


@pytest.fixture
async def hub(app: InProcessApp) -> AsyncIterator[hs.AsyncHubClient]:
    async with hs.AsyncHubClient(app) as client:
        assert (await client.login()).status_code == 303
        yield client


@pytest.fixture
async def anonymous(app: InProcessApp) -> AsyncIterator[hs.AsyncHubClient]:
    async with hs.AsyncHubClient(app) as client:
        yield client


async def _routing(app: InProcessApp) -> bool:
    answer = await app.http.get(ROUTING, headers={"X-API-Key": seed.PARTNER_KEY})
    enabled: bool = answer.json()["data"]["enabled"]
    return enabled


async def test_every_page_redirects_to_login_and_every_form_refuses(
    app: InProcessApp, anonymous: hs.AsyncHubClient
) -> None:
    for path in PAGES:
        answer = await anonymous.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/hub/login?next=%2Fhub%2F"), path
    for path in FORMS:
        assert (await anonymous.post(path, {"enabled": ""})).status_code == 403, path
    assert await _routing(app) is True


async def test_login_checks_the_password_and_comes_back_where_it_was_asked(
    anonymous: hs.AsyncHubClient,
) -> None:
    wrong = await anonymous.login(password="not the password")
    unknown = await anonymous.login(email="nobody@test.example")
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match a Hub account" in wrong.text
    assert "mmgate_hub_session" not in anonymous.http.cookies

    form = await anonymous.get("/hub/login", next="/hub/analytics?days=30")
    signed_in = await anonymous.http.post(
        "/hub/login",
        data={
            "csrf_token": hs.csrf_of(form.text),
            "email": hs.EMAIL.upper(),
            "password": hs.PASSWORD,
            "next": "/hub/analytics?days=30",
        },
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/hub/analytics?days=30"
    cookie = signed_in.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/hub" in cookie


async def test_login_form_refuses_a_post_without_its_token(anonymous: hs.AsyncHubClient) -> None:
    await anonymous.get("/hub/login")
    bare = await anonymous.http.post(
        "/hub/login", data={"email": hs.EMAIL, "password": hs.PASSWORD}
    )
    forged = await anonymous.http.post(
        "/hub/login", data={"csrf_token": "0" * 40, "email": hs.EMAIL, "password": hs.PASSWORD}
    )
    assert bare.status_code == forged.status_code == 403
    assert "mmgate_hub_session" not in anonymous.http.cookies


async def test_every_form_checks_the_csrf_token(app: InProcessApp, hub: hs.AsyncHubClient) -> None:
    keys_before = (await hub.get("/hub/channels")).text.count('name="key_hash"')
    for token in ("", "f" * 40):
        for path in FORMS:
            answer = await hub.post(path, {"enabled": "", "label": "x"}, csrf=token)
            assert answer.status_code == 403, (path, token)
    assert await _routing(app) is True
    assert (await hub.get("/hub/channels")).text.count('name="key_hash"') == keys_before
    assert (await hub.get("/hub/")).status_code == 200  # logout refused too: still signed in

    switched = await hub.post("/hub/integration/routing", {})  # the switch unchecked: off
    assert switched.status_code == 303 and await _routing(app) is False
    await hub.post("/hub/integration/routing", {"enabled": "on"})
    assert await _routing(app) is True


async def test_a_session_ends_with_its_lifetime_on_the_clock(
    app: InProcessApp, hub: hs.AsyncHubClient
) -> None:
    await app.advance(11 * 3600)
    assert (await hub.get("/hub/")).status_code == 200
    await app.advance(3600 + 1)
    assert (await hub.get("/hub/")).status_code == 303


async def test_logout_voids_every_copy_of_the_cookie(
    app: InProcessApp, hub: hs.AsyncHubClient
) -> None:
    copy = hs.AsyncHubClient(app)
    copy.http.cookies.update(hub.http.cookies)
    assert (await copy.get("/hub/")).status_code == 200
    assert (await hub.post("/hub/logout")).status_code == 303
    assert (await hub.get("/hub/")).status_code == 303
    assert (await copy.get("/hub/")).status_code == 303
    await copy.aclose()


async def test_login_is_limited_against_guessing(
    app: InProcessApp, anonymous: hs.AsyncHubClient
) -> None:
    email = "guessed@test.example"
    await hs.add_hub_user_async(app, seed.PARTNER_ID, email, hs.PASSWORD)
    for _ in range(10):
        assert (await anonymous.login(email, "wrong guess 123")).status_code == 401
    blocked = await anonymous.login(email, hs.PASSWORD)
    assert blocked.status_code == 429 and "Too many failed attempts" in blocked.text
    await app.advance(15 * 60 + 1)
    assert (await anonymous.login(email, hs.PASSWORD)).status_code == 303


async def test_cli_refuses_bad_accounts(app: InProcessApp) -> None:
    # The real command on the app's data dir (a worker thread: the app keeps running).
    async def cli(partner_id: str, email: str, password: str) -> CompletedProcess[str]:
        return await anyio.to_thread.run_sync(hs.add_hub_user, app, partner_id, email, password)

    unknown = await cli("pt_nobody", "x@test.example", hs.PASSWORD)
    taken = await cli(seed.PARTNER_ID, hs.RIVAL_EMAIL, hs.PASSWORD)
    short = await cli(seed.PARTNER_ID, "y@test.example", "short")
    for result in (unknown, taken, short):
        assert result.returncode != 0
        assert "Traceback" not in result.stderr and result.stderr.startswith("Error: ")
    # The rival's user was not moved to the test partner.
    rival = hs.AsyncHubClient(app)
    assert (await rival.login(hs.RIVAL_EMAIL, hs.RIVAL_PASSWORD)).status_code == 303
    assert "Rival Partner" in (await rival.get("/hub/")).text
    await rival.aclose()


async def test_a_new_key_sends_and_a_revoked_key_does_not(
    app: InProcessApp, hub: hs.AsyncHubClient
) -> None:
    created = await hub.post(f"/hub/channels/{seed.PHONE_NUMBER_ID}/keys", {"label": "CRM prod"})
    assert created.status_code == 303 and created.headers["location"] == "/hub/channels"
    shown = await hub.get("/hub/channels")
    key = re.search(r'id="new-key" type="text" readonly value="([^"]+)"', shown.text)
    assert key is not None
    new_key = key.group(1)
    assert (await app.send(seed.SEED_EXAMPLE, key=new_key)).status_code == 200
    listing = (await hub.get("/hub/channels")).text  # shown once: not on the next visit
    assert new_key not in listing and f"••••{new_key[-4:]}" in listing and "CRM prod" in listing

    revoked = await hub.post("/hub/keys/revoke", {"key_hash": key_hash(new_key)})
    assert revoked.status_code == 303
    assert (await app.send(seed.SEED_EXAMPLE, key=new_key)).status_code == 401
    again = await hub.post("/hub/keys/revoke", {"key_hash": key_hash(new_key)})
    assert again.status_code == 404


async def test_a_partner_never_sees_another_partners_data(
    app: InProcessApp, hub: hs.AsyncHubClient, receiver: WebhookReceiver
) -> None:
    await app.set_webhook(receiver.url, key=hs.RIVAL_CHANNEL_KEY)
    secret = {
        **seed.SEED_EXAMPLE,
        "to": "447700900123",
        "template": {
            "name": "rival_secret_promo",
            "language": {"policy": "deterministic", "code": "en"},
        },
    }
    sent = await app.send(secret, key=hs.RIVAL_CHANNEL_KEY)
    assert sent.status_code == 200, sent.text
    rival_wamid = sent.json()["messages"][0]["id"]
    await app.advance(30)
    await receiver.wait_for_async(lambda got: len(got) >= 3)
    rival_view = hs.AsyncHubClient(app)
    await rival_view.login(hs.RIVAL_EMAIL, hs.RIVAL_PASSWORD)
    webhook_log = (await rival_view.get("/hub/webhooks")).text
    rival_delivery = re.search(r'data-delivery-id="(\d+)"', webhook_log)
    assert (
        rival_delivery is not None
        and "447700900123" in (await rival_view.get("/hub/messages")).text
    )
    await rival_view.aclose()
    delivery_id = rival_delivery.group(1)

    for path in (
        "/hub/",
        "/hub/clients",
        "/hub/channels",
        "/hub/messages",
        "/hub/webhooks",
        "/hub/analytics",
        "/hub/messages?template=rival_secret_promo",
    ):
        page = (await hub.get(path)).text
        for trace in (
            "447700900123",
            "rival_secret_promo",
            "Rival Client Secret Co",
            hs.RIVAL_PHONE_NUMBER_ID,
            "15550009999",
            rival_wamid,
        ):
            assert trace not in page, (path, trace)
    assert (await hub.get(f"/hub/messages/{rival_wamid}")).status_code == 404
    assert (await hub.get(f"/hub/webhooks/{delivery_id}")).status_code == 404
    assert (await hub.post(f"/hub/webhooks/{delivery_id}/replay")).status_code == 404
    assert (await hub.post(f"/hub/channels/{hs.RIVAL_PHONE_NUMBER_ID}/keys")).status_code == 404
    rival_key = {"key_hash": key_hash(hs.RIVAL_CHANNEL_KEY)}
    assert (await hub.post("/hub/keys/revoke", rival_key)).status_code == 404
    assert (await app.send(secret, key=hs.RIVAL_CHANNEL_KEY)).status_code == 200
    # "Replay all failed" names the rival's channel: refused, not widened to every channel.
    replay_all = {"channel": hs.RIVAL_PHONE_NUMBER_ID, "since": "2000-01-01T00:00"}
    assert (await hub.post("/hub/webhooks/replay", replay_all)).status_code == 404


async def test_the_partner_webhook_url_form_checks_urls_as_the_api_does(
    app: InProcessApp, hub: hs.AsyncHubClient
) -> None:
    partner = f"/api/v2/partners/{seed.PARTNER_ID}"
    refused = await hub.post("/hub/integration/webhook", {"webhook_url": "ftp://files.example/x"})
    assert refused.status_code == 400 and "Webhook URL refused" in refused.text
    saved = await hub.post("/hub/integration/webhook", {"webhook_url": "http://127.0.0.1:9/events"})
    assert saved.status_code == 303  # sandbox mode: a local receiver is fine
    answer = await app.http.get(partner, headers={"X-API-Key": seed.PARTNER_KEY})
    assert answer.json()["data"]["webhook_url"] == "http://127.0.0.1:9/events"
    await hub.post("/hub/integration/webhook", {"webhook_url": ""})
    answer = await app.http.get(partner, headers={"X-API-Key": seed.PARTNER_KEY})
    assert answer.json()["data"]["webhook_url"] is None
