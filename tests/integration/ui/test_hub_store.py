"""The Hub's store queries on every backend that has them: scoping to one partner,
funnel counting with statuses in any order, clicks counted once, API keys, users."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from mmgate.domain import lifecycle
from mmgate.storage.port import Channel, MessageFilter, Partner, StatusUpdate
from mmgate.storage.postgres.store import PostgresStore
from mmgate.storage.sqlite.store import SqliteStore
from mmgate.ui import passwords
from mmgate.ui.accounts import AccountError, as_hub_store, provision_users
from tests.integration.storage.backends import POSTGRES_URL, isolated_schema, started
from tests.integration.storage.workspace import (
    HOOKED,
    NOW,
    PARTNER,
    QUIET,
    message,
    provision,
    response,
)

pytestmark = pytest.mark.anyio
RIVAL = Partner("pt_2", "Partner Two", None, "whsec-2", True)
RIVAL_CHANNEL = Channel("ch_rival", RIVAL.id, "100002", "200002", "300009", "+1 555 0009", None)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    if request.param == "sqlite":
        async with started(SqliteStore(tmp_path / "gateway.db")) as s:
            yield s
        return
    candidate = PostgresStore(POSTGRES_URL)
    if as_hub_store(candidate) is None:
        pytest.skip("the PostgreSQL store has no Partner Hub queries yet")
    async with (
        isolated_schema() as settings,
        started(PostgresStore(POSTGRES_URL, server_settings=settings)) as s,
    ):
        yield s


async def _provision(store: Any) -> None:
    await provision(store)
    await store.save_partner(RIVAL, "key-hash-rival", NOW)
    await store.save_client(RIVAL.id, RIVAL_CHANNEL.business_id, "Rival Co")
    await store.save_waba(RIVAL_CHANNEL.business_id, RIVAL_CHANNEL.waba_id, "Rival WABA")
    await store.save_channel(RIVAL_CHANNEL, NOW)
    await store.add_api_key(RIVAL_CHANNEL.id, "key-hash-rival-channel", NOW)


async def _status(store: Any, wamid: str, status: str, route: str | None = "mm_api") -> None:
    await store.record_statuses([StatusUpdate(wamid, status, NOW, route, b"{}")], NOW)


async def test_message_log_filters_and_stays_within_the_partner(store: Any) -> None:
    await _provision(store)
    for wamid, channel, at in (("wamid.A", HOOKED, NOW), ("wamid.B", QUIET, NOW + 5),
                               ("wamid.R", RIVAL_CHANNEL, NOW + 9)):  # fmt: skip
        await store.accept(message(wamid, channel=channel, at=at), response(wamid), None)
    await _status(store, "wamid.A", lifecycle.DELIVERED)

    every = await store.hub_messages(PARTNER.id, MessageFilter())
    assert [m.wamid for m in every] == ["wamid.B", "wamid.A"]
    assert every[1].route_taken == "mm_api" and every[1].display_phone_number == "+44 20 0000 0001"
    delivered = MessageFilter(status="delivered", route_taken="mm_api")
    assert [m.wamid for m in await store.hub_messages(PARTNER.id, delivered)] == ["wamid.A"]
    not_known = MessageFilter(route_taken="unknown", channel_id=QUIET.id)
    assert [m.wamid for m in await store.hub_messages(PARTNER.id, not_known)] == ["wamid.B"]
    window = MessageFilter(since=NOW + 1, until=NOW + 6, template_name="spring_sale")
    assert [m.wamid for m in await store.hub_messages(PARTNER.id, window)] == ["wamid.B"]
    assert len(await store.hub_messages(PARTNER.id, MessageFilter(), offset=1, limit=5)) == 1

    detail = await store.hub_message(PARTNER.id, "wamid.A")
    assert detail is not None and [e.status for e in detail.events] == ["delivered"]
    assert detail.payload == b'{"to":"441234567890"}' and detail.template_language == "en"
    assert await store.hub_message(PARTNER.id, "wamid.R") is None
    # An unordered delivery (chaos mode) has no ordering key: it is found by its body.
    assert await store.record_channel_event(HOOKED.id, b'{"id":"wamid.A"}', NOW)
    found = await store.hub_message_deliveries(PARTNER.id, "wamid.A")
    assert [d.ordering_key for d in found] == ["wamid.A", None]
    assert await store.hub_message_deliveries(RIVAL.id, "wamid.A") == []
    assert await store.hub_template_names(RIVAL.id) == ["spring_sale"]


async def test_the_funnel_counts_each_stage_once_whatever_the_order(store: Any) -> None:
    await _provision(store)
    for wamid in ("wamid.A", "wamid.B", "wamid.C", "wamid.D"):
        await store.accept(message(wamid), response(wamid), None)
    await _status(store, "wamid.A", lifecycle.READ)  # read before sent and delivered
    await _status(store, "wamid.A", lifecycle.SENT)
    await _status(store, "wamid.A", lifecycle.DELIVERED)
    await _status(store, "wamid.B", lifecycle.SENT, "cloud_api")
    await _status(store, "wamid.C", lifecycle.FAILED, None)
    rival = message("wamid.R", channel=RIVAL_CHANNEL)
    await store.accept(rival, response("wamid.R"), None)

    rows = await store.hub_funnel(PARTNER.id, NOW - 1, NOW + 1)
    found = {r.route: (r.accepted, r.sent, r.delivered, r.read, r.failed, r.expired) for r in rows}
    # C failed before any route was learnt, D is still waiting: both count where requested.
    assert found == {"mm_api": (1, 1, 1, 1, 0, 0), "cloud_api": (1, 1, 0, 0, 0, 0),
                     "marketing_lite": (2, 0, 0, 0, 1, 0)}  # fmt: skip
    assert {r.day for r in rows} == {"1970-01-12"}
    assert await store.hub_funnel(PARTNER.id, NOW + 1, NOW + 2) == []


async def test_clicks_are_counted_per_channel_and_day_once_per_click_id(store: Any) -> None:
    await _provision(store)

    def click(*ids: str | None) -> bytes:
        actions = [{"action_type": "marketing_messages_link_click",
                    "marketing_messages_link_click_data": {"click_id": i} if i else {}}
                   for i in ids]  # fmt: skip
        value = {"user_actions": actions}
        return json.dumps(
            {"entry": [{"changes": [{"field": "messages", "value": value}]}]}
        ).encode()

    assert await store.record_channel_event(HOOKED.id, click("c1", "c2"), NOW)
    assert await store.record_channel_event(HOOKED.id, click("c2", None), NOW)  # c2 again
    assert not await store.record_channel_event(QUIET.id, click("c3"), NOW)  # no webhook URL
    counts = await store.hub_clicks(PARTNER.id, NOW - 1, NOW + 1)
    assert [(c.channel_id, c.clicks) for c in counts] == [(HOOKED.id, 3)]
    assert await store.hub_clicks(RIVAL.id, NOW - 1, NOW + 1) == []


async def test_api_keys_are_created_and_revoked_only_on_the_partners_channels(
    store: Any,
) -> None:
    await _provision(store)
    assert await store.hub_create_api_key(PARTNER.id, HOOKED.id, "h-new", "abcd", "CRM", NOW)
    assert not await store.hub_create_api_key(PARTNER.id, RIVAL_CHANNEL.id, "h-x", "x", "x", NOW)
    keys = await store.hub_api_keys(PARTNER.id)
    assert [(k.key_hash, k.label, k.hint) for k in keys if k.channel_id == HOOKED.id] == [
        ("key-hash-hooked", None, None), ("h-new", "CRM", "abcd"),
    ]  # fmt: skip
    assert (await store.channel_for_key("h-new")).id == HOOKED.id
    assert await store.hub_revoke_api_key(RIVAL.id, "h-new", NOW) is None
    assert await store.hub_revoke_api_key(PARTNER.id, "h-new", NOW + 1) == HOOKED.id
    assert await store.hub_revoke_api_key(PARTNER.id, "h-new", NOW + 2) is None
    assert await store.channel_for_key("h-new") is None
    assert [
        k.revoked_at for k in await store.hub_api_keys(PARTNER.id) if k.key_hash == "h-new"
    ] == [NOW + 1]


async def test_hub_users_belong_to_one_partner_and_the_secret_is_kept(store: Any) -> None:
    await _provision(store)
    assert await store.hub_session_secret("first") == "first"
    assert await store.hub_session_secret("second") == "first"
    assert await store.hub_save_user(PARTNER.id, "Ann@X.example", "hash-1", NOW)
    assert not await store.hub_save_user("pt_nobody", "bob@x.example", "hash", NOW)
    assert not await store.hub_save_user(RIVAL.id, "ann@x.example", "hash-2", NOW)
    user = await store.hub_user_by_email("ann@x.EXAMPLE")
    assert user is not None and (user.partner_id, user.password_hash) == (PARTNER.id, "hash-1")
    await store.hub_end_sessions(user.id)
    assert await store.hub_save_user(PARTNER.id, "ann@x.example", "hash-3", NOW)  # new password
    again = await store.hub_user(user.id)
    assert again is not None and again.password_hash == "hash-3"
    assert again.session_generation == user.session_generation + 2


async def test_a_workspaces_hub_users_are_provisioned_without_signing_anyone_out(
    store: Any,
) -> None:
    await _provision(store)
    users = [("ann@x.example", "long password one")]
    await provision_users(store, PARTNER.id, users, NOW)
    first = await store.hub_user_by_email("ann@x.example")
    await provision_users(store, PARTNER.id, users, NOW)  # a restart with the same workspace
    same = await store.hub_user_by_email("ann@x.example")
    assert first is not None and same is not None
    assert same.session_generation == first.session_generation
    await provision_users(store, PARTNER.id, [("ann@x.example", "long password two")], NOW)
    changed = await store.hub_user_by_email("ann@x.example")
    assert changed is not None and changed.session_generation == first.session_generation + 1
    assert passwords.verify_password("long password two", changed.password_hash)
    with pytest.raises(AccountError):
        await provision_users(store, RIVAL.id, [("ann@x.example", "long password one")], NOW)
