"""Schemathesis against the real server, from the committed OpenAPI document: every
operation, schema-valid (positive) and schema-breaking (negative) requests, a bounded
number of each. Every answer must be no 5xx, a documented status with a documented
body, and a refused request must leave the database as it was (no partial write).

The keys are the seed's, sent on every request (the tenant matrix in tests/security
tests the auth errors); rotations the fuzzer makes are followed, so later requests use
the new key.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support import seed
from tests.support.server import ServerProcess

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
EXAMPLES = 20  # per operation and mode: 44 cases, ~600 requests, ~40 s on 2 cores
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# What requests write; a refused request must leave these exactly as they were.
# (Template knowledge is a cache a send may fill before it is refused; the outbox's
# webhook jobs and message events also come from background work, so only the jobs a
# send creates are counted.)
CONTENT = ["partners", "clients", "channels", "api_keys", "hub_users"]
COUNTS = {
    "messages": "SELECT count(*) FROM messages",
    "idempotency_keys": "SELECT count(*) FROM idempotency_keys",
    "upstream_jobs": "SELECT count(*) FROM jobs WHERE kind = 'upstream_send'",
}
FIXED_PATH = {"partner_id": seed.PARTNER_ID, "channel_id": seed.PHONE_NUMBER_ID}

SCHEMA = schemathesis.openapi.from_path(COMMITTED)
SCHEMA.config.generation.update(with_security_parameters=False)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


def _breakable(operation: Any) -> bool:
    """Whether a negative (schema-breaking) request exists: a body or query to break."""
    return bool(operation.body) or bool(operation.query)


CASES = [
    pytest.param(op, mode, id=f"{op.label}-{mode.value}")
    for op in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or _breakable(op)
]


class Fuzzer:
    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.db = server.data_dir / "gateway.db"
        self.keys = {"D360-API-KEY": seed.CHANNEL_KEY, "X-API-Key": seed.PARTNER_KEY}
        self.statuses: dict[int, int] = {}

    def snapshot(self) -> dict[str, Any]:
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            found: dict[str, Any] = {
                name: conn.execute(sql).fetchone()[0] for name, sql in COUNTS.items()
            }
            for table in CONTENT:
                rows = conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                found[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
            return found
        finally:
            conn.close()

    def follow_rotation(self, path: str, status: int, body: Any) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            return
        key = body["data"].get("api_key")
        if path.endswith("/api_key/rotate") and status == 200:
            self.keys["X-API-Key"] = key
        elif path.endswith("/api_keys") and status == 201:
            self.keys["D360-API-KEY"] = key


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    tmp = tmp_path_factory.mktemp("fuzz")
    env = {"MMGATE_PARTNER_API_REQUESTS_PER_MINUTE": "0", "MMGATE_PARTNER_API_AUTH_FAILURES": "0"}
    server = ServerProcess(tmp / "data", seed.write_seed(tmp), env)
    fuzzer = Fuzzer(server)
    yield fuzzer
    server.stop()
    # Not vacuous: hundreds of requests, and both accepted and refused ones.
    print("fuzz answers by status:", dict(sorted(fuzzer.statuses.items())))
    assert sum(fuzzer.statuses.values()) >= 300
    assert fuzzer.statuses.get(200, 0) >= 50 and fuzzer.statuses.get(400, 0) >= 50


@pytest.mark.parametrize(("operation", "mode"), CASES)
def test_operation(fuzzer: Fuzzer, operation: Any, mode: GenerationMode) -> None:
    # The clock is frozen: a minute per operation refills the per-partner request budget.
    fuzzer.server.advance(60)
    names = {p.name for p in operation.path_parameters}
    fixed = {name: value for name, value in FIXED_PATH.items() if name in names}

    @given(case=operation.as_strategy(mode, path_parameters=fixed or None))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        before = fuzzer.snapshot()
        response = case.call(base_url=fuzzer.server.base_url, headers=dict(fuzzer.keys))
        fuzzer.statuses[response.status_code] = fuzzer.statuses.get(response.status_code, 0) + 1
        case.validate_response(response, checks=CHECKS)
        if response.status_code >= 400:
            assert fuzzer.snapshot() == before, f"{case.method} {case.path}: partial write"
        elif case.path.endswith(("/api_key/rotate", "/api_keys")):
            fuzzer.follow_rotation(case.path, response.status_code, response.json())

    run()
