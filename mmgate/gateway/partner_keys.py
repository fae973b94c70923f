"""Partner API for API keys: channel keys (360dialog's `POST …/channels/{channel_id}/api_keys`)
and the partner's own key, each rotated with a timed overlap, and revocation.

Rotating issues a new key, shown once in the answer (only its hash is stored); the keys
it replaces keep working until the overlap ends (`MMGATE_KEY_ROTATION_OVERLAP_SECONDS`,
24 h by default; `overlap_seconds` in the body overrides it, 0 = at once). 360dialog
revokes a channel's old keys at once; the overlap lets a client switch without a failed
send. Revoking one channel key is immediate.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.errors import Refusal
from mmgate.gateway.context import Gateway, gateway_of
from mmgate.gateway.partner_auth import PREFIX, authorised_partner, decode_body, envelope
from mmgate.ids import key_hash, new_secret
from mmgate.sdk import wire_partner as wire
from mmgate.sdk.wire_partner import MAX_LABEL, MAX_OVERLAP_SECONDS
from mmgate.storage.port import ApiKeyRecord

HINT_CHARS = 4


async def _rotation(request: Request) -> wire.KeyRotation:
    if not (await request.body()).strip():
        return wire.KeyRotation()  # 360dialog's call has no body
    rotation = await decode_body(request, wire.KeyRotation)
    if rotation.overlap_seconds is not None and not (
        0.0 <= rotation.overlap_seconds <= MAX_OVERLAP_SECONDS
    ):
        raise Refusal(400, f"overlap_seconds must be 0 to {MAX_OVERLAP_SECONDS}.")
    if rotation.label is not None and len(rotation.label) > MAX_LABEL:
        raise Refusal(400, f"label: at most {MAX_LABEL} characters.")
    return rotation


def _until(gateway: Gateway, rotation: wire.KeyRotation) -> float:
    seconds = rotation.overlap_seconds
    if seconds is None:
        seconds = gateway.settings.key_rotation_overlap_seconds
    return gateway.clock.now() + seconds


def _key_data(key: ApiKeyRecord, now: float) -> wire.ApiKey:
    active = key.revoked_at is None and (key.expires_at is None or key.expires_at > now)
    return wire.ApiKey(
        id=key.key_hash,  # the key's SHA-256: identifies it, reveals nothing
        hint=key.hint,
        label=key.label,
        created_at=key.created_at,
        expires_at=key.expires_at,
        revoked_at=key.revoked_at,
        active=active,
    )


def _not_found() -> Refusal:
    return Refusal(404, "No such channel for this partner.")


async def channel_keys(request: Request) -> Response:
    partner = await authorised_partner(request)
    gateway = gateway_of(request)
    channel_id = request.path_params["channel_id"]
    if request.method == "POST":
        return await _rotate_channel_key(request, gateway, partner.id, channel_id)
    found = await gateway.store.channel_keys(partner.id, channel_id)
    if found is None:
        raise _not_found()
    now = gateway.clock.now()
    return envelope(wire.ApiKeyList(len(found), [_key_data(k, now) for k in found]))


async def _rotate_channel_key(
    request: Request, gateway: Gateway, partner_id: str, channel_id: str
) -> Response:
    rotation = await _rotation(request)
    key = new_secret()
    now = gateway.clock.now()
    record = ApiKeyRecord(
        key_hash(key), channel_id, rotation.label or "Partner API key", key[-HINT_CHARS:], now, None
    )
    until = _until(gateway, rotation)
    if not await gateway.directory.rotate_channel_key(partner_id, channel_id, record, until):
        raise _not_found()
    data = wire.NewChannelKey(
        address=str(request.base_url).rstrip("/"),
        api_key=key,
        app_id=channel_id,
        id=record.key_hash,
        previous_keys_valid_until=until,
    )
    return envelope(data, 201, "Created")


async def revoke_channel_key(request: Request) -> Response:
    partner = await authorised_partner(request)
    gateway = gateway_of(request)
    channel_id, hashed = request.path_params["channel_id"], request.path_params["key_id"]
    if not await gateway.directory.revoke_channel_key(
        partner.id, channel_id, hashed, gateway.clock.now()
    ):
        raise Refusal(404, "No active key with this id on this channel.")
    return envelope(wire.RevokedKey(hashed))


async def rotate_partner_key(request: Request) -> Response:
    partner = await authorised_partner(request)
    rotation = await _rotation(request)
    gateway = gateway_of(request)
    key = new_secret()
    until = _until(gateway, rotation)
    await gateway.store.rotate_partner_key(partner.id, key_hash(key), until)
    return envelope(wire.NewPartnerKey(key, until))


routes = [
    Route(PREFIX + "/channels/{channel_id}/api_keys", channel_keys, methods=["GET", "POST"]),
    Route(
        PREFIX + "/channels/{channel_id}/api_keys/{key_id}",
        revoke_channel_key,
        methods=["DELETE"],
    ),
    Route(PREFIX + "/api_key/rotate", rotate_partner_key, methods=["POST"]),
]
