"""The Hub's doors, against the real server: login required, CSRF on every form,
session expiry and logout, brute-force limits, and one partner never seeing another's
data (the rival partner lives in the same server)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from mmgate.ids import key_hash
from tests.integration.ui import hub_support as hs
from tests.support import seed
from tests.support.receiver import WebhookReceiver
from tests.support.server import ServerProcess

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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    s = hs.start_two_partners(tmp_path_factory.mktemp("hub"))
    yield s
    s.stop()


@pytest.fixture
def hub(server: ServerProcess) -> Iterator[hs.HubClient]:
    client = hs.HubClient(server)
    assert client.login().status_code == 303
    yield client
    client.close()


@pytest.fixture
def anonymous(server: ServerProcess) -> Iterator[hs.HubClient]:
    client = hs.HubClient(server)
    yield client
    client.close()


def _routing(server: ServerProcess) -> bool:
    answer = server.http.get(ROUTING, headers={"X-API-Key": seed.PARTNER_KEY})
    enabled: bool = answer.json()["data"]["enabled"]
    return enabled


def test_every_page_redirects_to_login_and_every_form_refuses(
    server: ServerProcess, anonymous: hs.HubClient
) -> None:
    for path in PAGES:
        answer = anonymous.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/hub/login?next=%2Fhub%2F"), path
    for path in FORMS:
        assert anonymous.post(path, {"enabled": ""}).status_code == 403, path
    assert _routing(server) is True


def test_login_checks_the_password_and_comes_back_where_it_was_asked(
    anonymous: hs.HubClient,
) -> None:
    wrong = anonymous.login(password="not the password")
    unknown = anonymous.login(email="nobody@test.example")
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match a Hub account" in wrong.text
    assert "mmgate_hub_session" not in anonymous.http.cookies

    form = anonymous.get("/hub/login", next="/hub/analytics?days=30")
    signed_in = anonymous.http.post(
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


def test_login_form_refuses_a_post_without_its_token(anonymous: hs.HubClient) -> None:
    anonymous.get("/hub/login")
    bare = anonymous.http.post("/hub/login", data={"email": hs.EMAIL, "password": hs.PASSWORD})
    forged = anonymous.http.post(
        "/hub/login", data={"csrf_token": "0" * 40, "email": hs.EMAIL, "password": hs.PASSWORD}
    )
    assert bare.status_code == forged.status_code == 403
    assert "mmgate_hub_session" not in anonymous.http.cookies


def test_every_form_checks_the_csrf_token(server: ServerProcess, hub: hs.HubClient) -> None:
    keys_before = hub.get("/hub/channels").text.count('name="key_hash"')
    for token in ("", "f" * 40):
        for path in FORMS:
            answer = hub.post(path, {"enabled": "", "label": "x"}, csrf=token)
            assert answer.status_code == 403, (path, token)
    assert _routing(server) is True
    assert hub.get("/hub/channels").text.count('name="key_hash"') == keys_before
    assert hub.get("/hub/").status_code == 200  # logout refused too: still signed in

    switched = hub.post("/hub/integration/routing", {})  # the switch unchecked: off
    assert switched.status_code == 303 and _routing(server) is False
    hub.post("/hub/integration/routing", {"enabled": "on"})
    assert _routing(server) is True


def test_a_session_ends_with_its_lifetime_on_the_clock(
    server: ServerProcess, hub: hs.HubClient
) -> None:
    server.advance(11 * 3600)
    assert hub.get("/hub/").status_code == 200
    server.advance(3600 + 1)
    assert hub.get("/hub/").status_code == 303


def test_logout_voids_every_copy_of_the_cookie(server: ServerProcess, hub: hs.HubClient) -> None:
    copy = hs.HubClient(server)
    copy.http.cookies.update(hub.http.cookies)
    assert copy.get("/hub/").status_code == 200
    assert hub.post("/hub/logout").status_code == 303
    assert hub.get("/hub/").status_code == 303
    assert copy.get("/hub/").status_code == 303
    copy.close()


def test_login_is_limited_against_guessing(server: ServerProcess, anonymous: hs.HubClient) -> None:
    email = "guessed@test.example"
    assert hs.add_hub_user(server, seed.PARTNER_ID, email, hs.PASSWORD).returncode == 0
    for _ in range(10):
        assert anonymous.login(email, "wrong guess 123").status_code == 401
    blocked = anonymous.login(email, hs.PASSWORD)
    assert blocked.status_code == 429 and "Too many failed attempts" in blocked.text
    server.advance(15 * 60 + 1)
    assert anonymous.login(email, hs.PASSWORD).status_code == 303


def test_cli_refuses_bad_accounts(server: ServerProcess) -> None:
    unknown = hs.add_hub_user(server, "pt_nobody", "x@test.example", hs.PASSWORD)
    taken = hs.add_hub_user(server, seed.PARTNER_ID, hs.RIVAL_EMAIL, hs.PASSWORD)
    short = hs.add_hub_user(server, seed.PARTNER_ID, "y@test.example", "short")
    for result in (unknown, taken, short):
        assert result.returncode != 0
        assert "Traceback" not in result.stderr and result.stderr.startswith("Error: ")
    # The rival's user was not moved to the test partner.
    rival = hs.HubClient(server)
    assert rival.login(hs.RIVAL_EMAIL, hs.RIVAL_PASSWORD).status_code == 303
    assert "Rival Partner" in rival.get("/hub/").text
    rival.close()


def test_a_new_key_sends_and_a_revoked_key_does_not(
    server: ServerProcess, hub: hs.HubClient
) -> None:
    created = hub.post(f"/hub/channels/{seed.PHONE_NUMBER_ID}/keys", {"label": "CRM prod"})
    assert created.status_code == 303 and created.headers["location"] == "/hub/channels"
    shown = hub.get("/hub/channels")
    key = re.search(r'id="new-key" type="text" readonly value="([^"]+)"', shown.text)
    assert key is not None
    new_key = key.group(1)
    assert server.send(seed.SEED_EXAMPLE, key=new_key).status_code == 200
    listing = hub.get("/hub/channels").text  # shown once: not on the next visit
    assert new_key not in listing and f"••••{new_key[-4:]}" in listing and "CRM prod" in listing

    revoked = hub.post("/hub/keys/revoke", {"key_hash": key_hash(new_key)})
    assert revoked.status_code == 303
    assert server.send(seed.SEED_EXAMPLE, key=new_key).status_code == 401
    again = hub.post("/hub/keys/revoke", {"key_hash": key_hash(new_key)})
    assert again.status_code == 404


def test_a_partner_never_sees_another_partners_data(
    server: ServerProcess, hub: hs.HubClient, receiver: WebhookReceiver
) -> None:
    server.set_webhook(receiver.url, key=hs.RIVAL_CHANNEL_KEY)
    secret = {
        **seed.SEED_EXAMPLE,
        "to": "447700900123",
        "template": {
            "name": "rival_secret_promo",
            "language": {"policy": "deterministic", "code": "en"},
        },
    }
    sent = server.send(secret, key=hs.RIVAL_CHANNEL_KEY)
    assert sent.status_code == 200, sent.text
    rival_wamid = sent.json()["messages"][0]["id"]
    server.advance(30)
    receiver.wait_for(lambda got: len(got) >= 3)
    rival_view = hs.HubClient(server)
    rival_view.login(hs.RIVAL_EMAIL, hs.RIVAL_PASSWORD)
    webhook_log = rival_view.get("/hub/webhooks").text
    rival_delivery = re.search(r'data-delivery-id="(\d+)"', webhook_log)
    assert rival_delivery is not None and "447700900123" in rival_view.get("/hub/messages").text
    rival_view.close()
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
        page = hub.get(path).text
        for trace in (
            "447700900123",
            "rival_secret_promo",
            "Rival Client Secret Co",
            hs.RIVAL_PHONE_NUMBER_ID,
            "15550009999",
            rival_wamid,
        ):
            assert trace not in page, (path, trace)
    assert hub.get(f"/hub/messages/{rival_wamid}").status_code == 404
    assert hub.get(f"/hub/webhooks/{delivery_id}").status_code == 404
    assert hub.post(f"/hub/webhooks/{delivery_id}/replay").status_code == 404
    assert hub.post(f"/hub/channels/{hs.RIVAL_PHONE_NUMBER_ID}/keys").status_code == 404
    rival_key = {"key_hash": key_hash(hs.RIVAL_CHANNEL_KEY)}
    assert hub.post("/hub/keys/revoke", rival_key).status_code == 404
    assert server.send(secret, key=hs.RIVAL_CHANNEL_KEY).status_code == 200
    # "Replay all failed" names the rival's channel: refused, not widened to every channel.
    replay_all = {"channel": hs.RIVAL_PHONE_NUMBER_ID, "since": "2000-01-01T00:00"}
    assert hub.post("/hub/webhooks/replay", replay_all).status_code == 404


def test_the_partner_webhook_url_form_checks_urls_as_the_api_does(
    server: ServerProcess, hub: hs.HubClient
) -> None:
    partner = f"/api/v2/partners/{seed.PARTNER_ID}"
    refused = hub.post("/hub/integration/webhook", {"webhook_url": "ftp://files.example/x"})
    assert refused.status_code == 400 and "Webhook URL refused" in refused.text
    saved = hub.post("/hub/integration/webhook", {"webhook_url": "http://127.0.0.1:9/events"})
    assert saved.status_code == 303  # sandbox mode: a local receiver is fine
    answer = server.http.get(partner, headers={"X-API-Key": seed.PARTNER_KEY})
    assert answer.json()["data"]["webhook_url"] == "http://127.0.0.1:9/events"
    hub.post("/hub/integration/webhook", {"webhook_url": ""})
    answer = server.http.get(partner, headers={"X-API-Key": seed.PARTNER_KEY})
    assert answer.json()["data"]["webhook_url"] is None
