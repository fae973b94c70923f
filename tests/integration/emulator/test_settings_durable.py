"""The sandbox's settings outlive a restart (a realistic population stays realistic), and a
sandbox reset's defaults do too (emulator/sandbox_settings.py, emulator/durable.py)."""

from __future__ import annotations

from pathlib import Path

from tests.integration.emulator.users_support import SANDBOX
from tests.support import seed
from tests.support.server import ServerProcess

CHOSEN = {
    "template_review_seconds": 7.0,
    "template_auto_approve": False,
    "population": "realistic",
    "population_seed": 42,
    "user_identity": "username",
    "landing_page_views": True,
    "pair_rate_limit": True,
}


def _settings(server: ServerProcess) -> dict[str, object]:
    answer = server.http.get("/sandbox/settings", headers=SANDBOX)
    assert answer.status_code == 200, answer.text
    found: dict[str, object] = answer.json()
    return found


def test_settings_survive_a_kill_9_and_a_reset_survives_a_stop(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = ServerProcess(data_dir, seed.write_seed(tmp_path))
    default = _settings(first)
    chosen = first.http.post("/sandbox/settings", json=CHOSEN, headers=SANDBOX)
    assert chosen.status_code == 200 and chosen.json() == CHOSEN
    first.kill()

    second = ServerProcess(data_dir, None)
    try:
        assert _settings(second) == CHOSEN
        assert second.http.post("/sandbox/reset", headers=SANDBOX).status_code == 200
        after_reset = _settings(second)
        assert after_reset["population"] == default["population"] == "happy"
    finally:
        second.stop()

    third = ServerProcess(data_dir, None)
    try:
        assert _settings(third) == after_reset
    finally:
        third.stop()
