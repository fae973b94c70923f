"""An error log line for webhook deliveries that fail, without a flood.

A receiver that is down makes every queued delivery fail, each retried for days:
one line per attempt would bury everything else. Each endpoint gets at most one line
per `every` seconds of real time, saying how many failed since its last line.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from mmgate.storage.port import WebhookAttempt

log = logging.getLogger("mmgate.webhooks")


@dataclass
class _Quiet:
    until: float
    suppressed: int = 0


class FailureLog:
    def __init__(self, every: float = 10.0) -> None:
        self._every = every
        self._quiet: dict[str, _Quiet] = {}

    def failed(self, kind: str, attempt: WebhookAttempt, retry_at: float | None) -> None:
        now = time.monotonic()
        quiet = self._quiet.get(attempt.url)
        if quiet is not None and now < quiet.until:
            quiet.suppressed += 1
            return
        also = quiet.suppressed if quiet is not None else 0
        self._quiet[attempt.url] = _Quiet(now + self._every)
        if len(self._quiet) > 10_000:  # many endpoints: forget the oldest quiet periods
            self._quiet = {url: q for url, q in self._quiet.items() if q.until > now}
        log.warning(
            "webhook delivery to %s failed: %s%s%s",
            attempt.url,
            attempt.error or f"HTTP {attempt.status_code}",
            "; retried later" if retry_at is not None else "; not retried",
            f" ({also} more failures to this endpoint since the last line)" if also else "",
            extra={
                "webhook_url": attempt.url,
                "job_id": attempt.job_id,
                "job_kind": kind,
                "status_code": attempt.status_code,
                "error": attempt.error,
                "retry_at": retry_at,
            },
        )
