"""Delivers webhooks to clients (a channel's URL) and partners (the partner's URL):
signed, with the configured headers, in order per message, every attempt recorded,
retried with backoff."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

import httpx

from mmgate.cache import TtlCache
from mmgate.clock import Clock
from mmgate.delivery.retry import RetryPolicy
from mmgate.signing import MMGATE_SIGNATURE_HEADER, MMGATE_TIMESTAMP_HEADER, sign_delivery
from mmgate.storage.port import (
    PARTNER_WEBHOOK,
    Channel,
    Job,
    Partner,
    Store,
    WebhookAttempt,
)

EXCERPT_CHARS = 500


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    secret: str | None
    headers: dict[str, str] = field(default_factory=dict)


class WebhookDeliverer:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        http: httpx.AsyncClient,
        retry: RetryPolicy,
        channels: TtlCache[str, Channel | None],
        partners: TtlCache[str, Partner | None],
    ) -> None:
        self._store = store
        self._clock = clock
        self._http = http
        self._retry = retry
        self._channels = channels
        self._partners = partners
        self._rng = random.Random()

    async def _target(self, job: Job) -> Target | None:
        if job.kind == PARTNER_WEBHOOK:
            partner = await self._partners.get(job.ref)
            if partner is None or partner.webhook_url is None:
                return None
            return Target(partner.webhook_url, partner.webhook_secret)
        channel = await self._channels.get(job.ref)
        if channel is None or channel.webhook_url is None:
            return None
        owner = await self._partners.get(channel.partner_id)
        return Target(
            channel.webhook_url, owner.webhook_secret if owner else None, channel.webhook_headers
        )

    async def handle(self, job: Job) -> None:
        target = await self._target(job)
        now = self._clock.now()
        if target is None or job.payload is None:
            attempt = WebhookAttempt(job.id, "", now, None, 0.0, None, "no webhook URL configured")
            await self._store.webhook_attempted(job, attempt, done=False, retry_at=None)
            return
        headers = {"Content-Type": "application/json", **target.headers}
        if target.secret is not None:
            timestamp = int(now)
            headers[MMGATE_TIMESTAMP_HEADER] = str(timestamp)
            headers[MMGATE_SIGNATURE_HEADER] = sign_delivery(target.secret, timestamp, job.payload)
        attempt, ok = await self._post(job, target.url, headers, job.payload)
        retry_at = None
        if not ok:
            retry_at = self._retry.next_attempt(job.attempts, job.created_at, now, self._rng)
        await self._store.webhook_attempted(job, attempt, done=ok, retry_at=retry_at)

    async def _post(
        self, job: Job, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[WebhookAttempt, bool]:
        at = self._clock.now()
        started = time.perf_counter()
        try:
            response = await self._http.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            duration = (time.perf_counter() - started) * 1000
            error = f"{type(exc).__name__}: {exc}"[:EXCERPT_CHARS]
            return WebhookAttempt(job.id, url, at, None, duration, None, error), False
        duration = (time.perf_counter() - started) * 1000
        ok = 200 <= response.status_code < 300
        attempt = WebhookAttempt(
            job.id,
            url,
            at,
            response.status_code,
            duration,
            response.text[:EXCERPT_CHARS],
            None if ok else f"HTTP {response.status_code}",
        )
        return attempt, ok
