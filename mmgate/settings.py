"""One typed settings object, built by the app factory from `MMGATE_*` variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mmgate.domain.retry import RetryPolicy

# The embedded emulator and gateway reach each other in process under this origin.
INTERNAL_ORIGIN = "http://mmgate.internal"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8360
    data_dir: Path = Path(".mmgate")
    database_path: Path | None = None
    database_url: str | None = None  # postgresql://… for production; SQLite file otherwise
    mode: str = "sandbox"  # sandbox | production
    clock: str = "sandbox"  # system | sandbox | frozen
    emulator: bool = True
    # Where the emulator sends Meta's webhooks; by default this process's own gateway.
    # Set it when the emulator runs as its own process (as Meta would).
    emulator_webhook_url: str = INTERNAL_ORIGIN + "/meta/webhook"
    graph_base_url: str = INTERNAL_ORIGIN + "/graph"
    graph_version: str = "v23.0"
    max_body_bytes: int = 64 * 1024
    allow_private_webhooks: bool | None = None  # default: allowed in sandbox mode only
    # messages/s per phone number; 0 = unlimited. One bucket per number in the database,
    # shared by every process and host (services/throughput.py).
    throughput_per_number: float = 80.0
    sqlite_synchronous: str = "FULL"
    # Where SQLite's writer runs: "process" (its own process, on another core than the
    # event loop), "thread" (in this process), or "auto" (the default): a process when this
    # process may run on more than one core, else a thread (a second process on the same
    # core only adds the pipe's cost).
    sqlite_writer: str = "auto"
    report_expired_as_failed: bool = False
    # Jobs a worker holds at once. Per-message order makes each webhook wait for the
    # previous one's outcome to be written (a claim -> post -> record cycle of a few ms),
    # so throughput is concurrency / cycle: these are well above what the receivers see,
    # which each endpoint bounds on its own (EndpointBook). Upstream, Little's law sets the
    # floor: Meta's top tier (1,000 msg/s a number) at ~150 ms a Graph call is ~150 sends in
    # flight; 256 also carries the embedded emulator's cycle (claim, mark, send, record:
    # three writes) at ~1,700 msg/s where 64 stopped at ~1,550 (bench/RESULTS.md).
    upstream_concurrency: int = 256
    webhook_concurrency: int = 64
    webhook_timeout_seconds: float = 10.0
    # Client webhooks one request may carry (one Meta notification, its `entry` array):
    # what a claim finds for one channel leaves together; 1 = one event per request. Meta's
    # ceiling for one notification is 1,000 updates; 100 keeps a body (~1 KB an event)
    # well under receivers' limits.
    webhook_batch_size: int = 100
    webhook_retry_4xx: bool = True  # Meta retries 4xx too; 410 Gone is never retried
    upstream_retry: RetryPolicy = field(default_factory=RetryPolicy)
    webhook_retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Security limits (SECURITY.md). A rotated key keeps working this long beside the new one.
    key_rotation_overlap_seconds: float = 86_400.0
    partner_api_requests_per_minute: float = 600.0  # per partner key; 0 = unlimited
    partner_api_auth_failures: int = 30  # wrong keys per client address per 10 min; 0 = off
    # Serving bounds (mmgate/serving): slow, idle and excess connections are closed.
    header_timeout_seconds: float = 10.0  # request line + headers, from connect or last answer
    body_timeout_seconds: float = 30.0  # the whole body, from the end of the headers
    keep_alive_seconds: int = 5  # idle between requests on one connection
    max_connections: int = 1000  # also kept below the process's open-file limit
    # Proxy headers (X-Forwarded-For/-Proto) are trusted only from these addresses
    # ("*" for any); unset, the client address is the socket's peer.
    forwarded_allow_ips: str | None = None
    log_level: str = "info"  # debug | info | warning | error
    log_format: str = "text"  # text | json
    # One line per request costs ~4% of the event loop at 1,000 requests/s (py-spy), so it
    # is opt-in: the delivery log, message timelines and /metrics are the standing record.
    access_log: bool = False

    @property
    def sqlite_path(self) -> Path:
        return self.database_path or self.data_dir / "gateway.db"

    @property
    def private_webhooks_allowed(self) -> bool:
        if self.allow_private_webhooks is not None:
            return self.allow_private_webhooks
        return self.mode == "sandbox"

    @property
    def base_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"

    def __post_init__(self) -> None:
        if min(self.upstream_concurrency, self.webhook_concurrency) < 1:
            raise ValueError(
                "MMGATE_UPSTREAM_CONCURRENCY and MMGATE_WEBHOOK_CONCURRENCY must be >= 1"
            )
        if not 1 <= self.webhook_batch_size <= 1000:
            raise ValueError("MMGATE_WEBHOOK_BATCH_SIZE must be 1 to 1000 (Meta's ceiling)")
        if self.sqlite_writer not in ("auto", "thread", "process"):
            raise ValueError(
                f"MMGATE_SQLITE_WRITER must be auto, thread or process, not {self.sqlite_writer!r}"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for name, kind in _ENV_FIELDS.items():
            raw = env.get(f"MMGATE_{name.upper()}")
            if raw is not None:
                values[name] = _parse(kind, raw)
        retry_base = env.get("MMGATE_WEBHOOK_RETRY_BASE_SECONDS")
        retry_span = env.get("MMGATE_WEBHOOK_RETRY_SPAN_SECONDS")
        policy = RetryPolicy()
        if retry_base is not None:
            policy = replace(policy, base_seconds=float(retry_base))
        if retry_span is not None:
            policy = replace(policy, give_up_after_seconds=float(retry_span))
        values["webhook_retry"] = policy
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


_ENV_FIELDS = {
    "host": str,
    "port": int,
    "data_dir": Path,
    "database_path": Path,
    "database_url": str,
    "mode": str,
    "clock": str,
    "emulator": bool,
    "graph_base_url": str,
    "emulator_webhook_url": str,
    "graph_version": str,
    "max_body_bytes": int,
    "allow_private_webhooks": bool,
    "throughput_per_number": float,
    "sqlite_synchronous": str,
    "sqlite_writer": str,
    "report_expired_as_failed": bool,
    "webhook_retry_4xx": bool,
    "webhook_timeout_seconds": float,
    "upstream_concurrency": int,
    "webhook_concurrency": int,
    "webhook_batch_size": int,
    "key_rotation_overlap_seconds": float,
    "partner_api_requests_per_minute": float,
    "partner_api_auth_failures": int,
    "header_timeout_seconds": float,
    "body_timeout_seconds": float,
    "keep_alive_seconds": int,
    "max_connections": int,
    "forwarded_allow_ips": str,
    "log_level": str,
    "log_format": str,
    "access_log": bool,
}


def _parse(kind: type, raw: str) -> Any:
    if kind is bool:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return kind(raw)
