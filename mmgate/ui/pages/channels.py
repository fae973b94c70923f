"""Channels (phone numbers) and their API keys: a new key is shown once, then only its
last characters; keys are stored as SHA-256 hashes. Revoking takes effect at once here
and within the key cache's few seconds in other processes."""

from __future__ import annotations

from starlette.responses import Response

from mmgate.ids import key_hash, new_secret
from mmgate.storage.port import ApiKeyRecord
from mmgate.ui.context import Hub, login_required
from mmgate.ui.render import redirect, with_query

HINT_CHARS = 4
MAX_LABEL = 60


async def _render(hub: Hub, status: int = 200, **context: object) -> Response:
    channels = await hub.gateway.store.channels(hub.partner.id)
    keys: dict[str, list[ApiKeyRecord]] = {}
    for key in await hub.store.hub_api_keys(hub.partner.id):
        keys.setdefault(key.channel_id, []).append(key)
    context.setdefault("new_key", None)
    context.setdefault("revoked", hub.request.query_params.get("revoked"))
    return hub.page(
        "channels.html", status, active="channels", channels=channels, keys=keys, **context
    )


@login_required
async def channels(hub: Hub) -> Response:
    return await _render(hub)


@login_required
async def create_key(hub: Hub) -> Response:
    channel_id = hub.request.path_params["channel_id"]
    label = hub.form.get("label", "").strip()[:MAX_LABEL] or "Hub key"
    key = new_secret()
    created = await hub.store.hub_create_api_key(
        hub.partner.id, channel_id, key_hash(key), key[-HINT_CHARS:], label, hub.now
    )
    if not created:
        return hub.page(
            "notice.html", 404, title="No such channel", message="This channel is not yours."
        )
    return await _render(hub, new_key={"channel_id": channel_id, "key": key, "label": label})


@login_required
async def revoke_key(hub: Hub) -> Response:
    hashed = hub.form.get("key_hash", "")
    channel_id = await hub.store.hub_revoke_api_key(hub.partner.id, hashed, hub.now)
    if channel_id is None:
        return hub.page(
            "notice.html",
            404,
            title="No such key",
            message="This key does not exist, is already revoked, or is not yours.",
        )
    hub.gateway.channels_by_key.invalidate(hashed)
    return redirect(with_query("/hub/channels", revoked=channel_id))
