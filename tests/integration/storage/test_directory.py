"""Provisioning and look-ups: partners, clients, WABAs, channels, keys, templates."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mmgate.domain.templates import TemplateInfo
from mmgate.storage.port import (
    UNSET,
    ApiKeyRecord,
    Channel,
    Chaos,
    ClientRecord,
    MessagePrice,
    Partner,
    Store,
    UpstreamCredentials,
    WabaRecord,
)
from tests.integration.storage.backends import revoke_key
from tests.integration.storage.workspace import (
    BUSINESS_ID,
    HOOK_URL,
    HOOKED,
    HOOKED_KEY,
    NOW,
    PARTNER,
    PARTNER_KEY,
    QUIET,
    QUIET_KEY,
    WABA_ID,
    provision,
)

pytestmark = pytest.mark.anyio


async def test_a_new_store_is_empty_until_a_partner_is_saved(store: Store) -> None:
    assert await store.is_empty()
    await provision(store)
    assert not await store.is_empty()


async def test_channel_for_key_resolves_the_whole_chain(store: Store) -> None:
    await provision(store)
    channel = await store.channel_for_key(HOOKED_KEY)
    assert channel is not None
    assert (channel.id, channel.partner_id, channel.business_id, channel.waba_id) == (
        HOOKED.id,
        PARTNER.id,
        BUSINESS_ID,
        WABA_ID,
    )
    assert channel.webhook_url == HOOK_URL
    assert channel.webhook_headers == {"X-Token": "abc"}
    assert await store.channel_for_key("no-such-key") is None


async def test_a_revoked_key_finds_no_channel(store: Store) -> None:
    await provision(store)
    await store.add_api_key(HOOKED.id, "second-key", NOW)
    await revoke_key(store, HOOKED_KEY, NOW + 1)
    assert await store.channel_for_key(HOOKED_KEY) is None
    found = await store.channel_for_key("second-key")
    assert found is not None and found.id == HOOKED.id


async def test_adding_a_key_twice_is_harmless(store: Store) -> None:
    await provision(store)
    await store.add_api_key(QUIET.id, QUIET_KEY, NOW + 5)
    found = await store.channel_for_key(QUIET_KEY)
    assert found is not None and found.id == QUIET.id


async def test_channels_by_id_phone_number_and_partner(store: Store) -> None:
    await provision(store)
    by_id = await store.channel_by_id(QUIET.id)
    assert by_id is not None and by_id.webhook_url is None and by_id.webhook_headers == {}
    by_number = await store.channel_for_phone_number(HOOKED.phone_number_id)
    assert by_number is not None and by_number.id == HOOKED.id
    assert [c.id for c in await store.channels(PARTNER.id)] == [HOOKED.id, QUIET.id]
    assert await store.channels("pt_other") == []
    assert await store.channel_by_id("nope") is None


async def test_channel_webhook_headers_and_chaos_round_trip(store: Store) -> None:
    await provision(store)
    chaos = Chaos(duplicates=0.25, out_of_order=True)
    await store.set_channel_webhook(QUIET.id, "https://q.example", {"A": "1"}, chaos)
    found = await store.channel_by_id(QUIET.id)
    assert found is not None
    assert (found.webhook_url, found.webhook_headers, found.chaos) == (
        "https://q.example",
        {"A": "1"},
        chaos,
    )
    await store.set_channel_webhook(QUIET.id, None, {})
    cleared = await store.channel_by_id(QUIET.id)
    assert cleared is not None
    assert (cleared.webhook_url, cleared.chaos) == (None, Chaos())


async def test_partner_look_ups(store: Store) -> None:
    await provision(store)
    assert await store.partner(PARTNER.id) == PARTNER
    assert await store.partner_for_key(PARTNER_KEY) == PARTNER
    assert await store.partner_for_onboarding_token("onb-1") == PARTNER
    assert await store.partner("nope") is None
    assert await store.partner_for_key("nope") is None


async def test_saving_a_partner_again_keeps_its_onboarding_token(store: Store) -> None:
    await provision(store)
    renamed = type(PARTNER)(PARTNER.id, "Renamed", None, "whsec-2", True)
    await store.save_partner(renamed, "new-key", NOW + 1)
    found = await store.partner(PARTNER.id)
    assert found is not None
    assert (found.name, found.webhook_secret, found.onboarding_token) == (
        "Renamed",
        "whsec-2",
        "onb-1",
    )
    assert await store.partner_for_key(PARTNER_KEY) is None


async def test_update_partner_changes_only_what_is_given(store: Store) -> None:
    await provision(store)
    await store.update_partner(PARTNER.id, webhook_url="https://partner.example")
    await store.update_partner(PARTNER.id, marketing_routing=False)
    found = await store.partner(PARTNER.id)
    assert found is not None
    assert (found.webhook_url, found.marketing_routing) == ("https://partner.example", False)
    await store.update_partner(PARTNER.id, webhook_url=None, marketing_routing=UNSET)
    cleared = await store.partner(PARTNER.id)
    assert cleared is not None
    assert (cleared.webhook_url, cleared.marketing_routing) == (None, False)


async def test_rotating_the_webhook_secret_keeps_the_old_one_for_a_while(store: Store) -> None:
    await provision(store)
    await store.rotate_webhook_secret(PARTNER.id, "whsec-new", NOW + 3600)
    found = await store.partner(PARTNER.id)
    assert found is not None
    assert (found.webhook_secret, found.previous_webhook_secret) == ("whsec-new", "whsec-1")
    assert found.signing_secrets(NOW) == ["whsec-new", "whsec-1"]
    assert found.signing_secrets(NOW + 3601) == ["whsec-new"]


async def test_clients_with_their_wabas_and_mm_status(store: Store) -> None:
    await provision(store)
    await store.save_client(PARTNER.id, "100002", "Another Client")
    await store.save_waba(BUSINESS_ID, "200002", "Second WABA")
    await store.set_waba_mm_status(WABA_ID, "ONBOARDED")
    assert await store.clients(PARTNER.id) == [
        ClientRecord("100002", "Another Client", []),
        ClientRecord(
            BUSINESS_ID,
            "Client One",
            [
                WabaRecord(WABA_ID, "WABA One", "ONBOARDED"),
                WabaRecord("200002", "Second WABA", None),
            ],
        ),
    ]
    assert await store.waba_partner(WABA_ID) == PARTNER.id
    assert await store.waba_partner("nope") is None


async def test_upstream_credentials_are_one_row(store: Store) -> None:
    assert await store.upstream() is None
    await provision(store)
    await store.save_upstream(UpstreamCredentials("token-2", "secret-2", "verify-2"))
    assert await store.upstream() == UpstreamCredentials("token-2", "secret-2", "verify-2")


async def test_templates_are_saved_updated_and_looked_up(store: Store) -> None:
    await provision(store)
    sale = TemplateInfo("spring_sale", "en", "MARKETING", "APPROVED", 2, (0,), 43_200)
    await store.save_templates(
        WABA_ID, [sale, TemplateInfo("hi", "de", "UTILITY", "PENDING", 0, ())], NOW
    )
    assert await store.template(WABA_ID, "spring_sale", "en") == sale
    assert await store.template(WABA_ID, "spring_sale", "de") is None

    await store.update_template(
        WABA_ID, "spring_sale", "en", status="PAUSED", category=None, sync_until=NOW + 600
    )
    updated = await store.template(WABA_ID, "spring_sale", "en")
    assert updated is not None
    assert (updated.status, updated.category, updated.sync_until) == (
        "PAUSED",
        "MARKETING",
        NOW + 600,
    )

    await store.save_templates(WABA_ID, [sale], NOW + 1)  # a Graph look-up refreshes it
    refreshed = await store.template(WABA_ID, "spring_sale", "en")
    assert refreshed is not None and refreshed.status == "APPROVED"


async def test_a_templates_bid_and_a_sends_price_are_kept(store: Store) -> None:
    await provision(store)
    bid = TemplateInfo("max_sale", "en", "MARKETING", "APPROVED", 0, (), bid_amount=1_500)
    await store.save_templates(WABA_ID, [bid], NOW)
    assert await store.template(WABA_ID, "max_sale", "en") == bid

    price = MessagePrice("wamid.1", HOOKED.id, "GB", "GBP", 1_000, 1_500, 1.2, 1_800, NOW)
    await store.record_price(price)
    await store.record_price(replace(price, list_price=9_999))  # fixed at acceptance
    assert await store.message_price("wamid.1") == price
    assert await store.message_price("wamid.2") is None


async def _other_partners_channel(store: Store) -> Channel:
    other = Partner("pt_2", "Partner Two", None, "whsec-2", True)
    channel = Channel("ch_other", other.id, "100002", "200002", "300009", "+44 20 0000 0009", None)
    await store.save_partner(other, "key-hash-partner-2", NOW)
    await store.save_client(other.id, channel.business_id, "Client Two")
    await store.save_waba(channel.business_id, channel.waba_id, "WABA Two")
    await store.save_channel(channel, NOW)
    await store.add_api_key(channel.id, "key-hash-other", NOW)
    return channel


async def test_channel_keys_rotate_with_an_overlap_and_revoke_within_the_partner(
    store: Store,
) -> None:
    await provision(store)
    other = await _other_partners_channel(store)
    new_key = ApiKeyRecord("key-hash-new", HOOKED.id, "ci", "…new", NOW + 1, None)

    assert await store.rotate_channel_key(PARTNER.id, HOOKED.id, new_key, NOW + 100)
    keys = await store.channel_keys(PARTNER.id, HOOKED.id)
    assert keys is not None
    assert [(k.key_hash, k.expires_at) for k in keys] == [
        (HOOKED_KEY, NOW + 100),  # the old key works until the overlap ends
        ("key-hash-new", None),
    ]
    # A second rotation never lengthens an overlap already running.
    newer = ApiKeyRecord("key-hash-newer", HOOKED.id, None, None, NOW + 2, None)
    assert await store.rotate_channel_key(PARTNER.id, HOOKED.id, newer, NOW + 500)
    keys = await store.channel_keys(PARTNER.id, HOOKED.id)
    assert keys is not None
    assert [k.expires_at for k in keys] == [NOW + 100, NOW + 500, None]

    assert await store.revoke_channel_key(PARTNER.id, HOOKED.id, "key-hash-new", NOW + 3)
    assert not await store.revoke_channel_key(PARTNER.id, HOOKED.id, "key-hash-new", NOW + 4)
    assert await store.channel_for_key("key-hash-new") is None

    # Another partner's channel is "not found", and nothing of it changes.
    assert await store.channel_keys(PARTNER.id, other.id) is None
    stranger = ApiKeyRecord("key-hash-stranger", other.id, None, None, NOW, None)
    assert not await store.rotate_channel_key(PARTNER.id, other.id, stranger, NOW + 100)
    assert not await store.revoke_channel_key(PARTNER.id, other.id, "key-hash-other", NOW)
    other_keys = await store.channel_keys("pt_2", other.id)
    assert other_keys is not None
    assert [(k.key_hash, k.expires_at, k.revoked_at) for k in other_keys] == [
        ("key-hash-other", None, None)
    ]


async def test_a_channel_without_keys_has_an_empty_list(store: Store) -> None:
    await provision(store)
    await store.revoke_channel_key(PARTNER.id, QUIET.id, QUIET_KEY, NOW)
    keys = await store.channel_keys(PARTNER.id, QUIET.id)
    assert keys is not None and [k.revoked_at for k in keys] == [NOW]


async def test_a_rotation_whose_new_key_collides_changes_nothing(store: Store) -> None:
    """The rotation's statements are one write: the failed insert takes the shortened
    overlap of the old keys back with it."""
    await provision(store)
    clash = ApiKeyRecord(QUIET_KEY, HOOKED.id, None, None, NOW + 1, None)
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await store.rotate_channel_key(PARTNER.id, HOOKED.id, clash, NOW + 100)
    keys = await store.channel_keys(PARTNER.id, HOOKED.id)
    assert keys is not None
    assert [(k.key_hash, k.expires_at) for k in keys] == [(HOOKED_KEY, None)]
