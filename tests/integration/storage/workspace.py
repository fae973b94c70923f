"""A small provisioned workspace and message builders for the storage contract."""

from __future__ import annotations

from mmgate.storage.port import Channel, NewMessage, Partner, Store, UpstreamCredentials

NOW = 1_000_000.0
PARTNER = Partner("pt_1", "Partner One", None, "whsec-1", True, onboarding_token="onb-1")
BUSINESS_ID = "100001"
WABA_ID = "200001"
# `HOOKED` has a webhook URL; `QUIET` has none, so nothing is relayed for it.
HOOKED = Channel("ch_hooked", PARTNER.id, BUSINESS_ID, WABA_ID, "300001", "+44 20 0000 0001", None)
QUIET = Channel("ch_quiet", PARTNER.id, BUSINESS_ID, WABA_ID, "300002", "+44 20 0000 0002", None)
HOOK_URL = "https://client.example/hook"
HOOKED_KEY = "key-hash-hooked"
QUIET_KEY = "key-hash-quiet"
PARTNER_KEY = "key-hash-partner"


async def provision(store: Store) -> None:
    await store.save_partner(PARTNER, PARTNER_KEY, NOW)
    await store.save_client(PARTNER.id, BUSINESS_ID, "Client One")
    await store.save_waba(BUSINESS_ID, WABA_ID, "WABA One")
    for channel, key in ((HOOKED, HOOKED_KEY), (QUIET, QUIET_KEY)):
        await store.save_channel(channel, NOW)
        await store.add_api_key(channel.id, key, NOW)
    await store.set_channel_webhook(HOOKED.id, HOOK_URL, {"X-Token": "abc"})
    await store.save_upstream(UpstreamCredentials("graph-token", "app-secret", "verify"))


def message(wamid: str, *, channel: Channel = HOOKED, at: float = NOW) -> NewMessage:
    return NewMessage(
        wamid=wamid,
        channel_id=channel.id,
        recipient="441234567890",
        entry_point="/marketing_messages",
        type="template",
        template_name="spring_sale",
        template_language="en",
        category="MARKETING",
        route_requested="marketing_lite",
        upstream_endpoint="marketing_messages",
        ttl_seconds=86_400,
        expires_at=at + 86_400,
        payload=b'{"to":"441234567890"}',
        upstream=f'{{"biz_opaque_callback_data":"{wamid}"}}'.encode(),
        created_at=at,
    )


def response(wamid: str) -> bytes:
    return f'{{"messages":[{{"id":"{wamid}"}}]}}'.encode()
