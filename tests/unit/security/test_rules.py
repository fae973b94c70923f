"""The pure security rules: JSON depth, failure windows, request budgets, key overlap,
and the emulator keeping only a hash of the Graph token (old world files upgraded)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmgate.domain.json_limits import MAX_DEPTH, too_deep
from mmgate.domain.rate_limits import FailureWindow, TokenBucket
from mmgate.emulator.world import WorldStore
from mmgate.services.keys import key_in_force
from mmgate.storage.port import Channel


@pytest.mark.parametrize(
    ("raw", "limit", "deep"),
    [
        (b"[" * 3 + b"]" * 3, 3, False),
        (b"[" * 4 + b"]" * 4, 3, True),
        (b'{"a": {"b": {"c": 1}}}', 3, False),
        (b'{"a": {"b": {"c": {}}}}', 3, True),
        (b'["[[[[[[[[", "{{{{{{{{"]', 2, False),  # brackets inside strings do not count
        (b'["\\"[[[[["]', 1, False),  # nor after an escaped quote
        (b"[]" * 100, 1, False),  # many, side by side, is not deep
        (b"[" * 10_000, MAX_DEPTH, True),  # unterminated and malformed still counts
        (b"", MAX_DEPTH, False),
    ],
)
def test_too_deep(raw: bytes, limit: int, deep: bool) -> None:
    assert too_deep(raw, limit) is deep


def test_real_payloads_are_far_below_the_limit() -> None:
    send = {"template": {"components": [{"parameters": [{"action": {"x": [1]}}]}]}}
    assert not too_deep(json.dumps(send).encode())


def test_failure_window_slides_on_the_clock() -> None:
    window = FailureWindow(limit=2, window_seconds=100)
    for at in (0.0, 10.0):
        assert window.retry_after("ip", at) is None
        window.failed("ip", at)
    assert window.retry_after("ip", 20.0) == pytest.approx(80.0)
    assert window.retry_after("other", 20.0) is None
    assert window.retry_after("ip", 100.0) is None  # the first failure left the window
    window.forget("ip")
    assert window.retry_after("ip", 20.0) is None


def test_request_budget_refills_a_minute_at_a_time() -> None:
    budget = TokenBucket.per_minute(3)
    assert [budget.take("p", 0.0) for _ in range(3)] == [None, None, None]
    assert budget.take("p", 0.0) == pytest.approx(20.0)
    assert budget.take("q", 0.0) is None  # per key
    assert budget.take("p", 20.0) is None
    assert TokenBucket.per_minute(0).take("p", 0.0) is None  # 0 = unlimited


def test_a_rotated_key_stops_at_the_end_of_its_overlap() -> None:
    channel = Channel("c", "p", "b", "w", "n", "1", None, key_valid_until=100.0)
    assert key_in_force(channel, 99.9) is channel
    assert key_in_force(channel, 100.0) is None
    forever = Channel("c", "p", "b", "w", "n", "1", None)
    assert key_in_force(forever, 1e12) is forever
    assert key_in_force(None, 0.0) is None


def test_world_keeps_only_a_hash_of_the_graph_token(tmp_path: Path) -> None:
    path = tmp_path / "emulator.json"
    old = {"schema": 1, "app": {"graph_token": "EAAG-plain-token", "app_secret": "s3cret"}}
    path.write_text(json.dumps(old))
    worlds = WorldStore(path)
    assert worlds.graph_token_matches("EAAG-plain-token")
    assert not worlds.graph_token_matches("EAAG-plain-tokeN")
    assert not worlds.graph_token_matches("")
    on_disk = path.read_text()
    assert "EAAG-plain-token" not in on_disk  # upgraded and written back at once
    assert "s3cret" in on_disk  # the app secret signs webhooks: kept (file mode 0600)
    assert path.stat().st_mode & 0o077 == 0
    again = WorldStore(path)
    assert again.graph_token_matches("EAAG-plain-token")
