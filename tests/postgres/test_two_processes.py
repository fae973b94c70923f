"""Two gateway processes on one PostgreSQL: no message is sent twice, and the
per-number throughput limit holds across both."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.postgres.schema import server_database_url
from tests.support import seed
from tests.support.receiver import WebhookReceiver, statuses
from tests.support.server import ServerProcess, free_port

LIMIT = 20  # messages/s per number, small so a test burst goes past it


@pytest.fixture
def two_gateways(tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    with server_database_url("mmgate_two") as url:
        seed_path = seed.write_seed(tmp_path)
        port = free_port()
        meta = ServerProcess(
            tmp_path / "meta",
            seed_path,
            {"MMGATE_EMULATOR_WEBHOOK_URL": f"http://127.0.0.1:{port}/meta/webhook"},
            clock="sandbox",
        )
        try:
            gateways = ServerProcess(
                tmp_path / "gateway",
                seed_path,
                {
                    "MMGATE_DATABASE_URL": url,
                    "MMGATE_EMULATOR": "false",
                    "MMGATE_THROUGHPUT_PER_NUMBER": str(LIMIT),
                    "MMGATE_GRAPH_BASE_URL": meta.base_url + "/graph",
                },
                port=port,
                clock="sandbox",
                extra_args=["--workers", "2"],
            )
            try:
                yield meta, gateways
            finally:
                gateways.stop()
        finally:
            meta.stop()


def test_two_processes_send_once_and_hold_the_limit(
    two_gateways: tuple[ServerProcess, ServerProcess], receiver: WebhookReceiver
) -> None:
    meta, gateways = two_gateways
    gateways.set_webhook(receiver.url)
    started = time.monotonic()

    def send(i: int) -> int:
        body = {**seed.SEED_EXAMPLE, "to": f"4479{i:04d}5678"}
        return gateways.send(body).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(send, range(300)))
    elapsed = time.monotonic() - started
    accepted = codes.count(200)
    assert set(codes) <= {200, 429}
    assert codes.count(429) > 0, "the burst went past the limit"
    # One bucket in the database for both: together they never exceed the limit.
    assert accepted <= LIMIT + LIMIT * elapsed + 2

    receiver.wait_for(
        lambda r: len({s["id"] for s in statuses(r) if s["status"] == "read"}) >= accepted,
        timeout=60,
    )
    stats = meta.http.get("/sandbox/stats", headers={"X-Sandbox-Key": seed.SANDBOX_KEY}).json()
    assert stats["duplicate_sends"] == 0
    assert stats["accepted"] == accepted
