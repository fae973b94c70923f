"""The sandbox clock resumes where it was after a restart, only ever moving forward, and
a move too large to mean anything is refused instead of breaking the server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import seed
from tests.support.inprocess import InProcessApp, in_process_app
from tests.support.server import ServerProcess

TWO_DAYS = 2 * 86_400.0


def _now(server: ServerProcess) -> float:
    response = server.http.get("/sandbox/clock", headers={"X-Sandbox-Key": seed.SANDBOX_KEY})
    now: float = response.json()["now"]
    return now


async def _now_in(app: InProcessApp) -> float:
    response = await app.http.get("/sandbox/clock", headers={"X-Sandbox-Key": seed.SANDBOX_KEY})
    now: float = response.json()["now"]
    return now


def test_a_sandbox_clock_jump_survives_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = ServerProcess(data_dir, seed.write_seed(tmp_path), clock="sandbox")
    try:
        moved_to = first.advance(TWO_DAYS)
    finally:
        first.kill()  # no shutdown code: the jump was saved when it happened
    second = ServerProcess(data_dir, None, clock="sandbox")
    try:
        assert _now(second) >= moved_to
    finally:
        second.stop()


@pytest.mark.anyio
async def test_a_frozen_clock_resumes_at_the_same_instant(tmp_path: Path) -> None:
    async with in_process_app(tmp_path) as first:
        moved_to = await first.advance(TWO_DAYS)
    async with in_process_app(tmp_path, seed_path=None) as second:  # a restart, no seed
        assert await _now_in(second) == moved_to


@pytest.mark.anyio
async def test_absurd_moves_are_refused_and_the_clock_keeps_working(app: InProcessApp) -> None:
    before = await _now_in(app)
    for seconds in (1e300, 1e20, -1.0):
        response = await app.http.post(
            "/sandbox/clock",
            json={"advance_seconds": seconds},
            headers={"X-Sandbox-Key": seed.SANDBOX_KEY},
        )
        assert response.status_code == 400, seconds
    assert await _now_in(app) == before
    assert await app.advance(60) == before + 60
    assert (await app.http.get("/hub/login")).status_code == 200
