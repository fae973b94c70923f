"""The sandbox control API (`/sandbox/...`): the clock and the recipients' behaviour."""

from __future__ import annotations

import hmac

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.clock import SandboxClock
from mmgate.emulator.state import Emulator
from mmgate.emulator.users import Behaviour, behaviour_for
from mmgate.ids import key_hash

SANDBOX_KEY_HEADER = "x-sandbox-key"


class ClockMove(msgspec.Struct):
    advance_seconds: float


def _json(body: object, status: int = 200) -> Response:
    return Response(msgspec.json.encode(body), status, media_type="application/json")


def _problem(status: int, message: str) -> Response:
    return _json({"error": {"message": message, "code": status}}, status)


def _allowed(emulator: Emulator, request: Request) -> bool:
    expected = emulator.worlds.world.sandbox_key_hash
    given = request.headers.get(SANDBOX_KEY_HEADER, "")
    return expected is not None and hmac.compare_digest(expected, key_hash(given))


async def clock(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    if not _allowed(emulator, request):
        return _problem(401, "A valid X-Sandbox-Key header is required.")
    sandbox_clock = emulator.clock
    if request.method == "POST":
        if not isinstance(sandbox_clock, SandboxClock):
            return _problem(409, "The clock can only be moved in sandbox mode.")
        try:
            move = msgspec.json.decode(await request.body(), type=ClockMove)
            if move.advance_seconds < 0:
                raise ValueError("the clock only moves forward")
            await sandbox_clock.settle()
            sandbox_clock.advance(move.advance_seconds)
        except (msgspec.DecodeError, ValueError) as exc:
            return _problem(400, f'Expected {{"advance_seconds": <non-negative number>}}: {exc}')
    return _json({"now": sandbox_clock.now(), "pending_events": len(emulator.scheduler)})


async def recipient(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    if not _allowed(emulator, request):
        return _problem(401, "A valid X-Sandbox-Key header is required.")
    number = request.path_params["number"].lstrip("+")
    if not number.isdigit():
        return _problem(400, "The number must be digits in international format.")
    if request.method == "PUT":
        try:
            emulator.network.overrides[number] = msgspec.json.decode(
                await request.body(), type=Behaviour
            )
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            return _problem(400, f"Invalid behaviour: {exc}")
    elif request.method == "DELETE":
        emulator.network.overrides.pop(number, None)
    behaviour = behaviour_for(number, emulator.network.overrides)
    return _json({"number": number, "behaviour": msgspec.to_builtins(behaviour)})


routes = [
    Route("/sandbox/clock", clock, methods=["GET", "POST"]),
    Route("/sandbox/recipients/{number}", recipient, methods=["GET", "PUT", "DELETE"]),
]
