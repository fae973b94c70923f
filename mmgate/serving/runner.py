"""The uvicorn configuration `mmgate serve` runs with, built from the settings."""

from __future__ import annotations

import resource
import sys
from typing import Any

from starlette.types import ASGIApp

from mmgate.serving.bounds import BodyBounds, BoundedBodies
from mmgate.serving.protocol import BoundedHttpToolsProtocol
from mmgate.settings import Settings

# File descriptors kept back from the connection bound: the database, the data-dir lock,
# outgoing webhook and Graph connections, log files.
_FD_RESERVE = 128
# Bodies the Partner API and the Messaging API cap themselves (in their shapes) fit under.
_MIN_BODY_CAP = 64 * 1024


def connection_bound(settings: Settings) -> int:
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return settings.max_connections
    return max(16, min(settings.max_connections, soft - _FD_RESERVE))


def bounded(app: ASGIApp, settings: Settings) -> ASGIApp:
    """Apply the per-process bounds, and wrap `app` in the body guard."""
    BoundedHttpToolsProtocol.header_timeout = settings.header_timeout_seconds
    BoundedHttpToolsProtocol.body_timeout = settings.body_timeout_seconds
    BoundedHttpToolsProtocol.max_connections = connection_bound(settings)
    cap = max(settings.max_body_bytes, _MIN_BODY_CAP)
    return BoundedBodies(app, BodyBounds(cap))


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    proxies = settings.forwarded_allow_ips
    return {
        "host": settings.host,
        "port": settings.port,
        "loop": "uvloop" if sys.platform != "win32" else "asyncio",
        "http": BoundedHttpToolsProtocol,
        "timeout_keep_alive": settings.keep_alive_seconds,
        # The connection bound is ours (protocol.py); this only caps requests in flight, above
        # connections being closed to make room, which still count for uvicorn a moment.
        "limit_concurrency": 2 * connection_bound(settings) + 1,
        # uvicorn trusts X-Forwarded-For from 127.0.0.1 by default, which lets any local
        # caller pick its address (and dodge the per-address limits): off unless configured.
        "proxy_headers": proxies is not None,
        "forwarded_allow_ips": proxies or "",
        "server_header": False,
        "log_config": None,  # mmgate.serving.logs configures logging itself
        "access_log": settings.access_log,
    }


def app_from_env() -> ASGIApp:
    """The factory each process of `mmgate serve --workers N` calls (settings from MMGATE_*)."""
    from mmgate.app import MmgateApp
    from mmgate.serving import logs

    settings = Settings.from_env()
    logs.configure(settings.log_level, settings.log_format)  # each worker process logs alike
    return bounded(MmgateApp(settings), settings)
