"""scale-out: the accept and end-to-end runs on PostgreSQL, with 1 and 2 processes.

Until `mmgate/storage/postgres` exists every row says it is skipped and why; the
rows run by themselves once it does. Each run gets a freshly created database
(`mmgate_bench`) on the server at MMGATE_BENCH_POSTGRES_URL (default: the local
server), so it never touches the test suite's database. Two processes means
`mmgate serve --workers 2` against one database; its baseline is the bare ASGI
app with 2 uvicorn workers, nothing pinned (both share the machine with the load).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib.util
import os
import subprocess
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

from bench import servers
from bench.benchmarks import end_to_end
from bench.benchmarks.accept import Samples, closed_loop, error_note
from bench.context import Context
from bench.table import Row, skipped

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "mmgate_bench"
METRICS = (
    "accept req/s, 1 process",
    "accept req/s, 2 processes",
    "end-to-end msg/s, 1 process",
    "end-to-end msg/s, 2 processes",
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


def accept(ctx: Context, processes: int) -> tuple[Samples, Samples]:
    pinned = processes == 1  # one process: pinned like the SQLite run; two: nothing pinned
    server_cpus = ctx.cores.server if pinned else ctx.cores.all_cores
    load_cpus = ctx.cores.load if pinned else ctx.cores.all_cores
    launcher = _launcher(processes)
    bare, mm = Samples(), Samples()
    for round_ in range(ctx.options.runs):
        ctx.log(f"PostgreSQL accept, {processes} process(es): run {round_ + 1}")
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
                launcher=launcher,
            ) as server,
        ):
            check_in_use(url)
            mm.add(closed_loop(ctx, server, load_cpus))
    return bare, mm


def run(ctx: Context) -> list[Row]:
    reason = unavailable()
    if reason is not None:
        return [skipped("scale-out", metric, reason) for metric in METRICS]
    try:
        return list(_rows(ctx, [1, 2] if supports_workers() else [1]))
    except NotWiredIn as exc:
        return [skipped("scale-out", metric, str(exc)) for metric in METRICS]


def _rows(ctx: Context, counts: list[int]) -> Iterator[Row]:
    for processes in counts:
        bare, mm = accept(ctx, processes)
        label = _label(processes)
        yield Row(
            "scale-out",
            f"accept req/s, {label}",
            "req/s",
            mm.rps,
            bare.rps,
            f"bare ASGI, {label}",
            f"PostgreSQL {error_note(mm)}",
        )
    for processes in counts:
        bare_e2e, results = [], []
        for round_ in range(ctx.options.runs):
            ctx.log(f"PostgreSQL end-to-end, {_label(processes)}: run {round_ + 1}")
            bare_e2e.append(end_to_end.bare_rps(ctx))
            with fresh_database() as url:
                results.append(
                    end_to_end.campaign(
                        ctx,
                        {"MMGATE_DATABASE_URL": url},
                        f"pg-e2e-{processes}",
                        launcher=_launcher(processes),
                        check=functools.partial(check_in_use, url),
                    )
                )
        row = end_to_end.rows_for("scale-out", bare_e2e, results)[0]
        yield dataclasses.replace(
            row, metric=f"end-to-end msg/s, {_label(processes)}", note="PostgreSQL; " + row.note
        )
    if counts == [1]:
        for metric in (METRICS[1], METRICS[3]):
            yield skipped("scale-out", metric, "mmgate serve has no --workers option yet")


def _label(processes: int) -> str:
    return "1 process" if processes == 1 else f"{processes} processes"


def _launcher(processes: int) -> list[str]:
    return servers.SERVE + (["--workers", str(processes)] if processes > 1 else [])
