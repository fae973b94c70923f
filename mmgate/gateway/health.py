"""`/healthz`, `/readyz` and `/metrics`: liveness, readiness (the database answers) and the
database writer's counters in Prometheus text."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from mmgate.gateway.context import gateway_of


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    await gateway_of(request).store.is_empty()
    return JSONResponse({"status": "ready"})


async def metrics(request: Request) -> Response:
    """Prometheus text: what this process's database writer committed."""
    stats = gateway_of(request).store.stats
    lines = [
        "# TYPE mmgate_db_commits_total counter",
        f"mmgate_db_commits_total {stats.batches}",
        "# TYPE mmgate_db_write_items_total counter",
        f"mmgate_db_write_items_total {stats.items}",
        "# TYPE mmgate_db_rows_written_total counter",
        f"mmgate_db_rows_written_total {stats.rows}",
    ]
    return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")


routes = [
    Route("/healthz", healthz),
    Route("/readyz", readyz),
    Route("/metrics", metrics),
]
