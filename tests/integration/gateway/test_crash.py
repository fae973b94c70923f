"""Killing the gateway with SIGKILL in the middle of a burst loses nothing and sends
nothing twice, on SQLite and on PostgreSQL. "Meta" (the emulator) runs as its own process,
as in production, so it keeps its messages while the gateway is down and retries its
webhooks."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import httpx
import pytest
from anyio import run as anyio_run

from tests.postgres.schema import server_database_url
from tests.support import seed
from tests.support.receiver import WebhookReceiver, statuses
from tests.support.server import ServerProcess, free_port

BURST = 150
KILL_AFTER = 50
UPSTREAM_CONCURRENCY = 64  # mmgate's default: at most this many sends can be in flight


class Messages:
    """The gateway's messages table, read straight from its database."""

    def __init__(self, sqlite_path: Path | None, postgres_url: str | None) -> None:
        self._sqlite_path, self._postgres_url = sqlite_path, postgres_url

    def statuses(self) -> dict[str, str]:
        if self._postgres_url is not None:
            return anyio_run(self._postgres_statuses)
        assert self._sqlite_path is not None
        db = sqlite3.connect(self._sqlite_path)
        try:
            return dict(db.execute("SELECT wamid, status FROM messages").fetchall())
        finally:
            db.close()

    async def _postgres_statuses(self) -> dict[str, str]:
        assert self._postgres_url is not None
        conn = await asyncpg.connect(self._postgres_url)
        try:
            return {r[0]: r[1] for r in await conn.fetch("SELECT wamid, status FROM messages")}
        finally:
            await conn.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def meta_and_gateway(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[ServerProcess, dict[str, object], Messages]]:
    with contextlib.ExitStack() as stack:
        url = None
        if request.param == "postgres":
            url = stack.enter_context(server_database_url("mmgate_crash"))
        yield from _meta_and_gateway(tmp_path, url)


def _meta_and_gateway(
    tmp_path: Path, postgres_url: str | None
) -> Iterator[tuple[ServerProcess, dict[str, object], Messages]]:
    seed_path = seed.write_seed(tmp_path)
    gateway_port = free_port()
    meta = ServerProcess(
        tmp_path / "meta",
        seed_path,
        {"MMGATE_EMULATOR_WEBHOOK_URL": f"http://127.0.0.1:{gateway_port}/meta/webhook"},
        clock="sandbox",
    )
    env = {"MMGATE_EMULATOR": "false", "MMGATE_GRAPH_BASE_URL": meta.base_url + "/graph"}
    if postgres_url is not None:
        env["MMGATE_DATABASE_URL"] = postgres_url
    gateway_args: dict[str, object] = {
        "data_dir": tmp_path / "gateway",
        "seed_path": seed_path,
        "env": env,
        "port": gateway_port,
        "clock": "sandbox",
    }
    sqlite_path = None if postgres_url else tmp_path / "gateway" / "gateway.db"
    try:
        yield meta, gateway_args, Messages(sqlite_path, postgres_url)
    finally:
        meta.stop()


def _burst(gateway: ServerProcess, accepted: list[str], killed: threading.Event) -> None:
    def send(i: int) -> None:
        if killed.is_set():
            return
        try:
            response = gateway.send({**seed.SEED_EXAMPLE, "to": f"4478{i:04d}5678"})
        except (httpx.HTTPError, RuntimeError):
            # The process died under this request, or the kill closed the client before
            # it left (httpx raises RuntimeError then): not accepted either way.
            return
        if response.status_code == 200:
            accepted.append(response.json()["messages"][0]["id"])
            if len(accepted) == KILL_AFTER:
                killed.set()
                gateway.kill()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(send, range(BURST)))


def test_sigkill_mid_burst(
    meta_and_gateway: tuple[ServerProcess, dict[str, object], Messages],
    receiver: WebhookReceiver,
) -> None:
    meta, gateway_args, messages = meta_and_gateway
    gateway = ServerProcess(**gateway_args)  # type: ignore[arg-type]
    gateway.set_webhook(receiver.url)
    accepted: list[str] = []
    _burst(gateway, accepted, threading.Event())
    assert len(accepted) >= KILL_AFTER

    gateway = ServerProcess(**gateway_args)  # type: ignore[arg-type]
    try:
        stored = set(messages.statuses())
        assert set(accepted) <= stored, "every accepted message survived the crash"
        # Messages the gateway had claimed when it was killed may or may not have left:
        # they are never resent (their lease expires into `unknown`). Everything else is
        # sent once, and everything Meta got completes its lifecycle at the client.
        sandbox = {"X-Sandbox-Key": seed.SANDBOX_KEY}
        receiver.wait_for(
            lambda r: (
                len({s["id"] for s in statuses(r) if s["status"] == "read"})
                >= len(stored) - UPSTREAM_CONCURRENCY
            ),
            # Relays the killed process had claimed come back when their lease ends
            # (LEASE_SECONDS, a minute of real time here): an upper bound for a loaded machine.
            timeout=180,
        )

        def reached_meta() -> int:
            stats = meta.http.get("/sandbox/stats", headers=sandbox).json()
            assert stats["duplicate_sends"] == 0, "no message was sent upstream twice"
            accepted_by_meta: int = stats["accepted"]
            return accepted_by_meta

        def settled(r: list) -> bool:  # type: ignore[type-arg]
            # Claimed jobs that never started come back when their lease ends and are
            # sent then; done once every message is read at the client or in doubt.
            read = {s["id"] for s in statuses(r) if s["status"] == "read"}
            status = messages.statuses()
            rest = {status[w] for w in stored - read}
            return rest <= {"unknown"} and len(read) >= reached_meta()

        # The database can settle after the last webhook (a lease expiring into `unknown`):
        # re-read it every second, not only when a webhook arrives.
        got = receiver.wait_for(settled, timeout=180, recheck_every=1.0)
        read = {s["id"] for s in statuses(got) if s["status"] == "read"}
        assert read <= stored
        assert len(stored) - len(read) <= UPSTREAM_CONCURRENCY
        relayed = Counter((s["id"], s["status"]) for s in statuses(got))
        duplicates = sum(n - 1 for n in relayed.values())
        assert duplicates <= len(relayed) // 10, f"{duplicates} duplicate webhooks"

        # Nothing regressed: every message the client was told is read stays read.
        status = messages.statuses()
        assert {status[w] for w in read} == {"read"}
        # Claimed is not sent: what did not complete was started (in doubt: `unknown`,
        # told to the client as `failed` when its TTL passes, tests/unit/test_expiry.py),
        # never left waiting as `accepted` or `sent_upstream`.
        assert {status[w] for w in stored - read} <= {"unknown"}
    finally:
        gateway.stop()
