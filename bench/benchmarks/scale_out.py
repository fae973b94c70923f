"""scale-out: the accept and end-to-end runs on PostgreSQL, with 1 and 2 processes.

Until `mmgate/storage/postgres` exists every row says it is skipped and why; the
rows run by themselves once it does. Each run gets a freshly created database
(`mmgate_bench_<pid>`) on the server at MMGATE_BENCH_POSTGRES_URL (default: the local
server), so it never touches the test suite's database. Two processes means
`mmgate serve --workers 2` against one database; its baseline is the bare ASGI
app with 2 uvicorn workers, nothing pinned (both share the machine with the load).
1 and 2 processes take turns round by round; the `2 processes vs 1` rows divide
one by the other (target for end to end: >= 1.6x, and >= 1,500 msg/s with 2).
CPU and rows changed per message (pg_stat_database of the run's database) are
rows of their own for each process count.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib.util
import json
import os
import subprocess
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench import servers
from bench.benchmarks import end_to_end
from bench.benchmarks.accept import Samples, closed_loop, error_note
from bench.context import Context
from bench.table import Row, skipped

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
# One database name per harness process: two runs on one server never drop each other's.
BENCH_DATABASE = f"mmgate_bench_{os.getpid()}"
METRICS = (
    "accept req/s, 1 process",
    "accept req/s, 2 processes",
    "end-to-end msg/s, 1 process",
    "end-to-end msg/s, 2 processes",
    "accept req/s, 2 processes vs 1",
    "end-to-end msg/s, 2 processes vs 1",
)


def server_url() -> str:
    return os.environ.get("MMGATE_BENCH_POSTGRES_URL", DEFAULT_URL)


def unavailable() -> str | None:
    """Why the PostgreSQL runs cannot happen, or None when they can."""
    # Looked up as the server will import it (same interpreter, same working tree).
    if importlib.util.find_spec("mmgate.storage.postgres") is None:
        return "PostgreSQL backend not available (MMGATE_DATABASE_URL)"
    ready = subprocess.run(
        ["pg_isready", "-d", server_url()], capture_output=True, timeout=10, check=False
    )
    if ready.returncode != 0:
        return f"PostgreSQL not reachable at {server_url()}"
    return None


def supports_workers() -> bool:
    help_text = subprocess.run(
        [*servers.SERVE, "--help"], capture_output=True, text=True, timeout=60, check=False
    ).stdout
    return "--workers" in help_text


class NotWiredIn(Exception):
    """The server started but kept its SQLite file: it ignored MMGATE_DATABASE_URL."""


def psql(url: str, sql: str) -> str:
    done = subprocess.run(
        ["psql", url, "-qAt", "-c", sql], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


def check_in_use(database_url: str) -> None:
    tables = psql(
        database_url,
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    if tables in ("", "0"):
        raise NotWiredIn("mmgate serve ignored MMGATE_DATABASE_URL (backend not wired in yet)")


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    """A newly created, empty database; dropped afterwards."""
    admin = server_url()
    database_url = urlunsplit(urlsplit(admin)._replace(path=f"/{BENCH_DATABASE}"))
    psql(admin, f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
    psql(admin, f"CREATE DATABASE {BENCH_DATABASE}")
    try:
        yield database_url
    finally:
        psql(admin, f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")


def accept(ctx: Context, processes: int, bare: Samples, mm: Samples) -> None:
    """One round of the accept run with `processes` processes, and its baseline."""
    pinned = processes == 1  # one process: pinned like the SQLite run; two: nothing pinned
    server_cpus = ctx.cores.server if pinned else ctx.cores.all_cores
    load_cpus = ctx.cores.load if pinned else ctx.cores.all_cores
    with servers.bare(server_cpus, ctx.log_file("bare-pg"), workers=processes) as server:
        bare.add(closed_loop(ctx, server, load_cpus))
    data = ctx.fresh_dir(f"pg-{processes}")
    with (
        fresh_database() as url,
        servers.mmgate(
            data,
            server_cpus,
            ctx.log_file(data.name),
            env={"MMGATE_DATABASE_URL": url},
            launcher=_launcher(processes),
        ) as server,
    ):
        check_in_use(url)
        mm.add(closed_loop(ctx, server, load_cpus))


def campaign(ctx: Context, processes: int) -> dict[str, Any]:
    """One end-to-end campaign on a fresh database, its rows counted there."""
    with fresh_database() as url:
        database = urlsplit(url).path.lstrip("/")
        return end_to_end.campaign(
            ctx,
            {"MMGATE_DATABASE_URL": url},
            f"pg-e2e-{processes}",
            launcher=_launcher(processes),
            check=functools.partial(check_in_use, url),
            client_args=("--pg-database", database, "--pg-admin-url", server_url()),
        )


def run(ctx: Context) -> list[Row]:
    reason = unavailable()
    if reason is not None:
        return [skipped("scale-out", metric, reason) for metric in METRICS]
    try:
        return _rows(ctx, [1, 2] if supports_workers() else [1])
    except NotWiredIn as exc:
        return [skipped("scale-out", metric, str(exc)) for metric in METRICS]


def _rows(ctx: Context, counts: list[int]) -> list[Row]:
    """1 and 2 processes interleaved round by round, accept runs first, then the
    end-to-end campaigns, each round with its own bare 2-core baseline."""
    accepted = {n: (Samples(), Samples()) for n in counts}
    bare_e2e: list[end_to_end.BareRun] = []
    campaigns: dict[int, list[dict[str, Any]]] = {n: [] for n in counts}
    for round_ in range(ctx.options.runs):
        for processes in counts:
            ctx.log(f"PostgreSQL accept, {_label(processes)}: run {round_ + 1}")
            accept(ctx, processes, *accepted[processes])
    for round_ in range(ctx.options.runs):
        bare_e2e.append(end_to_end.bare_run(ctx))
        for processes in counts:
            ctx.log(f"PostgreSQL end-to-end, {_label(processes)}: run {round_ + 1}")
            campaigns[processes].append(campaign(ctx, processes))
            ctx.log(f"  {json.dumps(campaigns[processes][-1])}")
    rows: list[Row] = []
    for processes in counts:
        bare, mm = accepted[processes]
        label = _label(processes)
        rows.append(
            Row(
                "scale-out",
                f"accept req/s, {label}",
                "req/s",
                mm.rps,
                bare.rps,
                f"bare ASGI, {label}",
                f"PostgreSQL {error_note(mm)}",
            )
        )
    for processes in counts:
        row = end_to_end.rows_for("scale-out", [b.rps for b in bare_e2e], campaigns[processes])[0]
        target = "; target >= 1,500 msg/s" if processes == 2 else ""
        rows.append(
            dataclasses.replace(
                row,
                metric=f"end-to-end msg/s, {_label(processes)}",
                note="PostgreSQL; " + row.note + target,
            )
        )
    if counts == [1]:
        for metric in (METRICS[1], METRICS[3], METRICS[4], METRICS[5]):
            rows.append(skipped("scale-out", metric, "mmgate serve has no --workers option yet"))
    else:
        rows += two_vs_one(accepted, campaigns)
    for processes in counts:
        rows += end_to_end.cost_rows(
            "scale-out", bare_e2e, campaigns[processes], f", {_label(processes)}"
        )
    return rows


def two_vs_one(
    accepted: dict[int, tuple[Samples, Samples]], campaigns: dict[int, list[dict[str, Any]]]
) -> list[Row]:
    """2 processes against 1 on the same database server, same rounds."""
    return [
        Row(
            "scale-out",
            METRICS[4],
            "req/s",
            accepted[2][1].rps,
            accepted[1][1].rps,
            "1 process",
            "PostgreSQL; informational (one wrk thread drives both)",
        ),
        Row(
            "scale-out",
            METRICS[5],
            "msg/s",
            [r["throughput"] for r in campaigns[2]],
            [r["throughput"] for r in campaigns[1]],
            "1 process",
            "PostgreSQL; target >= 1.6x",
        ),
    ]


def _label(processes: int) -> str:
    return "1 process" if processes == 1 else f"{processes} processes"


def _launcher(processes: int) -> list[str]:
    return servers.SERVE + (["--workers", str(processes)] if processes > 1 else [])
