"""Sandbox control of Meta's side of onboarding: add a WABA to a business or change
its eligibility facts (as Meta's integrity and account systems would), and set the
set-up delay. Header `X-Sandbox-Key`, as every `/sandbox/` route."""

from __future__ import annotations

import hmac

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.domain.onboarding import ineligibility
from mmgate.emulator.state import Emulator
from mmgate.emulator.world import Waba
from mmgate.errors import Refusal
from mmgate.ids import key_hash
from mmgate.web.responses import json_response

SANDBOX_KEY_HEADER = "x-sandbox-key"


class WabaChange(msgspec.Struct, forbid_unknown_fields=True):
    business_id: str | None = None  # required to create a WABA
    name: str | None = None
    on_behalf_of: bool | None = None
    active: bool | None = None
    restricted: bool | None = None
    tax_country: str | None = None
    uses_whatsapp_business_app: bool | None = None


class OnboardingSettings(msgspec.Struct, forbid_unknown_fields=True):
    mm_setup_delay_seconds: float | None = None


def _allowed(emulator: Emulator, request: Request) -> bool:
    expected = emulator.worlds.world.sandbox_key_hash
    given = request.headers.get(SANDBOX_KEY_HEADER, "")
    return expected is not None and hmac.compare_digest(expected, key_hash(given))


def _apply(waba: Waba, change: WabaChange) -> None:
    for name in WabaChange.__struct_fields__:
        value = getattr(change, name)
        if value is not None and name != "business_id":
            setattr(waba, name, value.upper() if name == "tax_country" else value)


async def put_waba(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    if not _allowed(emulator, request):
        raise Refusal(401, "A valid X-Sandbox-Key header is required.")
    try:
        change = msgspec.json.decode(await request.body(), type=WabaChange)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise Refusal(400, f"Invalid WABA change: {exc}") from None
    worlds = emulator.worlds
    waba_id = request.path_params["waba_id"]
    waba = worlds.waba(waba_id)
    created = waba is None
    if waba is None:
        if change.business_id is None or worlds.business(change.business_id) is None:
            raise Refusal(400, "A new WABA needs the business_id of a known business.")
        waba = Waba(waba_id, change.name or waba_id, change.business_id)
        worlds.world.wabas.append(waba)
    elif change.business_id not in (None, waba.business_id):
        raise Refusal(400, "A WABA cannot move to another business.")
    was_eligible = not created and ineligibility(worlds.eligibility(waba)) is None
    _apply(waba, change)
    worlds.save()
    emulator.onboarding.waba_changed(waba, was_eligible=was_eligible)
    body = {
        "id": waba.id,
        "business_id": waba.business_id,
        "marketing_messages_onboarding_status": worlds.mm_status(waba).value,
    }
    return json_response(body, 201 if created else 200)


async def onboarding_settings(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    if not _allowed(emulator, request):
        raise Refusal(401, "A valid X-Sandbox-Key header is required.")
    world = emulator.worlds.world
    if request.method == "POST":
        try:
            settings = msgspec.json.decode(await request.body(), type=OnboardingSettings)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise Refusal(400, f"Invalid settings: {exc}") from None
        if settings.mm_setup_delay_seconds is not None:
            world.mm_setup_delay_seconds = max(0.0, settings.mm_setup_delay_seconds)
            emulator.worlds.save()
    return json_response({"mm_setup_delay_seconds": world.mm_setup_delay_seconds})


routes = [
    Route("/sandbox/wabas/{waba_id}", put_waba, methods=["PUT"]),
    Route("/sandbox/onboarding", onboarding_settings, methods=["GET", "POST"]),
]
