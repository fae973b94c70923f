"""The sandbox control API (`/sandbox/...`): the clock, the recipients' behaviour and
population, clicks on demand, a reset, and Meta's template reviewers."""

from __future__ import annotations

import hmac

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.clock import SandboxClock
from mmgate.domain.digits import ascii_digits
from mmgate.emulator import sandbox_settings
from mmgate.emulator.clicks import TapRefused
from mmgate.emulator.sandbox_settings import SandboxSettings
from mmgate.emulator.state import Emulator
from mmgate.emulator.users import Behaviour
from mmgate.errors import GraphError, Refusal
from mmgate.ids import key_hash
from mmgate.web.responses import json_response

SANDBOX_KEY_HEADER = "x-sandbox-key"


class StrictBehaviour(Behaviour, forbid_unknown_fields=True):
    """A behaviour as set through the API: a misspelt field (`readz`) is an error, not
    silently the default."""


class ClockMove(msgspec.Struct):
    advance_seconds: float


def require_sandbox_key(emulator: Emulator, request: Request) -> None:
    """Every sandbox call carries the sandbox key (a 401 in the sandbox's shape otherwise)."""
    if not _allowed(emulator, request):
        raise Refusal(401, "A valid X-Sandbox-Key header is required.")


def _allowed(emulator: Emulator, request: Request) -> bool:
    expected = emulator.worlds.world.sandbox_key_hash
    given = request.headers.get(SANDBOX_KEY_HEADER, "")
    return expected is not None and hmac.compare_digest(expected, key_hash(given))


async def clock(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    require_sandbox_key(emulator, request)
    sandbox_clock = emulator.clock
    if request.method == "POST":
        if not isinstance(sandbox_clock, SandboxClock):
            raise Refusal(409, "The clock can only be moved in sandbox mode.")
        try:
            move = msgspec.json.decode(await request.body(), type=ClockMove)
            if move.advance_seconds < 0:
                raise ValueError("the clock only moves forward")
            await sandbox_clock.settle()
            sandbox_clock.advance(move.advance_seconds)
        except (msgspec.DecodeError, ValueError) as exc:
            raise Refusal(
                400, f'Expected {{"advance_seconds": <non-negative number>}}: {exc}'
            ) from None
    return json_response({"now": sandbox_clock.now(), "pending_events": len(emulator.scheduler)})


async def recipient(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    require_sandbox_key(emulator, request)
    number = request.path_params["number"].lstrip("+")
    if not ascii_digits(number) or len(number) > 20:
        raise Refusal(400, "The number must be digits in international format.")
    if request.method == "PUT":
        try:
            emulator.network.overrides[number] = msgspec.json.decode(
                await request.body(), type=StrictBehaviour
            )
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise Refusal(400, f"Invalid behaviour: {exc}") from None
    elif request.method == "DELETE":
        emulator.network.overrides.pop(number, None)
    await emulator.journal.committed()  # a behaviour set is kept across restarts
    behaviour = emulator.network.behaviour(number)
    return json_response({"number": number, "behaviour": msgspec.to_builtins(behaviour)})


class ClickRequest(msgspec.Struct, forbid_unknown_fields=True):
    component: str = "cta"


async def click(request: Request) -> Response:
    """The recipient taps a link in one message now: `{"component": "cta" | "body"}`.
    `wamid` is Meta's, or the gateway's (what the client got back)."""
    emulator: Emulator = request.app.state.emulator
    require_sandbox_key(emulator, request)
    try:
        body = await request.body()
        wanted = msgspec.json.decode(body, type=ClickRequest) if body.strip() else ClickRequest()
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise Refusal(400, f'Expected {{"component": "cta" | "body"}}: {exc}') from None
    message = emulator.network.chats.find(request.path_params["wamid"])
    if message is None:
        raise Refusal(404, "No such message in the emulator's memory (recent chats only).")
    try:
        tap = emulator.network.tap(message, wanted.component, emulator.clock.now())
    except TapRefused as refused:
        raise Refusal(409, str(refused)) from None
    await emulator.journal.committed()  # its tracking token outlives a restart
    return json_response(
        {
            "meta_wamid": message.meta_wamid,
            "component": tap.component,
            "url": tap.url,
            "click_id": tap.click_id,
            "webhook": tap.webhook,
            "reason": tap.reason,
        }
    )


async def reset(request: Request) -> Response:
    """Recipients, pending message events and counters back to a clean state; the world
    (businesses, WABAs, templates, onboarding) and the clock stay (docs/emulator.md)."""
    emulator: Emulator = request.app.state.emulator
    require_sandbox_key(emulator, request)
    return json_response(emulator.reset())


class TemplateChange(msgspec.Struct, forbid_unknown_fields=True):
    status: str | None = None
    category: str | None = None
    reason: str = "NONE"


async def template(request: Request) -> Response:
    """Meta's reviewers: approve, reject, pause, disable or re-categorise a template."""
    emulator: Emulator = request.app.state.emulator
    require_sandbox_key(emulator, request)
    p = request.path_params
    waba = emulator.worlds.waba(p["waba_id"])
    record = emulator.worlds.template(waba, p["name"], p["language"]) if waba else None
    if waba is None or record is None:
        raise Refusal(404, "No such template.")
    try:
        change = msgspec.json.decode(await request.body(), type=TemplateChange)
        emulator.templates.change(
            waba,
            record,
            at=emulator.clock.now(),
            status=change.status,
            category=change.category,
            reason=change.reason,
        )
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise Refusal(400, f"Invalid template change: {exc}") from None
    except GraphError as error:
        raise Refusal(400, error.details) from None
    return json_response({"id": record.id, "status": record.status, "category": record.category})


async def review_settings(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    require_sandbox_key(emulator, request)
    desk, network = emulator.templates, emulator.network
    if request.method == "POST":
        try:
            settings = msgspec.json.decode(await request.body(), type=SandboxSettings)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise Refusal(400, f"Invalid settings: {exc}") from None
        sandbox_settings.apply(desk, network, settings)
        emulator.journal.save_settings(
            sandbox_settings.encode(sandbox_settings.current(desk, network))
        )
        await emulator.journal.committed()  # settings outlive a restart
    now = sandbox_settings.current(desk, network)
    population = network.population
    return json_response(
        {
            "template_review_seconds": now.template_review_seconds,
            "template_auto_approve": now.template_auto_approve,
            "population": population.kind.value,
            "population_seed": population.seed,
            "user_identity": now.user_identity,
            "landing_page_views": now.landing_page_views,
            "pair_rate_limit": now.pair_rate_limit,
        }
    )


async def stats(request: Request) -> Response:
    """Counters for tests and rehearsals: sends Meta accepted, and duplicates among them."""
    emulator: Emulator = request.app.state.emulator
    require_sandbox_key(emulator, request)
    return json_response(
        {
            "accepted": emulator.accepted,
            "duplicate_sends": emulator.duplicate_sends,
            "pending_events": len(emulator.scheduler),
            "webhooks_delivered": emulator.sender.delivered,
            "clicks_reported": emulator.network.clicker.reported,
        }
    )


routes = [
    Route("/sandbox/stats", stats, methods=["GET"]),
    Route("/sandbox/templates/{waba_id}/{name}/{language}", template, methods=["POST"]),
    Route("/sandbox/settings", review_settings, methods=["GET", "POST"]),
    Route("/sandbox/clock", clock, methods=["GET", "POST"]),
    Route("/sandbox/recipients/{number}", recipient, methods=["GET", "PUT", "DELETE"]),
    Route("/sandbox/messages/{wamid}/click", click, methods=["POST"]),
    Route("/sandbox/reset", reset, methods=["POST"]),
]
