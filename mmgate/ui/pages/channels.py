"""Channels (phone numbers) and their API keys: a new key is shown once, then only its
last characters; keys are stored as SHA-256 hashes. Revoking takes effect at once here
and within the key cache's few seconds in other processes."""

from __future__ import annotations

from starlette.responses import Response

from mmgate.ids import key_hash, new_secret
from mmgate.storage.port import ApiKeyRecord
from mmgate.ui import sessions
from mmgate.ui.context import Hub, HubRefusal, login_required
from mmgate.ui.render import redirect, with_query

HINT_CHARS = 4
MAX_LABEL = 60
NEW_KEY_COOKIE = "mmgate_hub_new_key"
NEW_KEY_PATH = "/hub/channels"
NEW_KEY_SECONDS = 300


async def _render(hub: Hub, new_key: dict[str, str] | None) -> Response:
    channels = await hub.gateway.store.channels(hub.partner.id)
    keys: dict[str, list[ApiKeyRecord]] = {}
    for key in await hub.store.hub_api_keys(hub.partner.id):
        keys.setdefault(key.channel_id, []).append(key)
    return hub.page(
        "channels.html",
        active="channels",
        channels=channels,
        keys=keys,
        new_key=new_key,
        revoked=hub.request.query_params.get("revoked"),
        now=hub.gateway.clock.now(),
    )


@login_required
async def channels(hub: Hub) -> Response:
    """Shows a key just created once: it comes in a short-lived cookie, sealed for this
    session, that this page deletes (so a reload neither shows it nor creates another)."""
    sealed = hub.request.cookies.get(NEW_KEY_COOKIE)
    new_key = _unseal(hub, sealed) if sealed else None
    response = await _render(hub, new_key=new_key)
    if sealed:
        response.delete_cookie(NEW_KEY_COOKIE, path=NEW_KEY_PATH)
    return response


@login_required
async def create_key(hub: Hub) -> Response:
    channel_id = hub.request.path_params["channel_id"]
    label = hub.form.get("label", "").strip()[:MAX_LABEL] or "Hub key"
    key = new_secret()
    created = await hub.store.hub_create_api_key(
        hub.partner.id, channel_id, key_hash(key), key[-HINT_CHARS:], label, hub.now
    )
    if not created:
        raise HubRefusal(404, "No such channel", "This channel is not yours.")
    response = redirect(NEW_KEY_PATH)
    new_key = {"channel_id": channel_id, "key": key, "label": label}
    response.set_cookie(
        NEW_KEY_COOKIE,
        sessions.seal(hub.state.secret, _purpose(hub), new_key),
        max_age=NEW_KEY_SECONDS,
        httponly=True,
        samesite="strict",
        path=NEW_KEY_PATH,
        secure=hub.request.url.scheme == "https",
    )
    return response


def _purpose(hub: Hub) -> str:
    return "new-key:" + hub.csrf  # bound to this session


def _unseal(hub: Hub, sealed: str) -> dict[str, str] | None:
    return sessions.unseal(hub.state.secret, _purpose(hub), sealed)


@login_required
async def revoke_key(hub: Hub) -> Response:
    hashed = hub.form.get("key_hash", "")
    channel_id = await hub.gateway.directory.revoke_key_in_hub(
        hub.store, hub.partner.id, hashed, hub.now
    )
    if channel_id is None:
        raise HubRefusal(
            404, "No such key", "This key does not exist, is already revoked, or is not yours."
        )
    return redirect(with_query("/hub/channels", revoked=channel_id))
