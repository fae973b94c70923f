"""Delivers webhooks to clients (a channel's URL) and partners (the partner's URL):
signed, with the configured headers, in order per message, every attempt recorded,
retried with backoff, each endpoint's concurrency bounded and a failing endpoint
backed off."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime

from mmgate.cache import TtlCache
from mmgate.clock import Clock
from mmgate.delivery import batches
from mmgate.delivery.endpoints import EndpointBook, EndpointHealth
from mmgate.delivery.failure_log import FailureLog
from mmgate.delivery.url_guard import check_webhook_url
from mmgate.domain.digits import ascii_digits
from mmgate.domain.retry import RetryPolicy
from mmgate.errors import GraphError
from mmgate.httpclient import HttpClient, RequestFailed
from mmgate.signing import MMGATE_SIGNATURE_HEADER, MMGATE_TIMESTAMP_HEADER, sign_delivery
from mmgate.storage.port import (
    ENDPOINT_HELD,
    PARTNER_WEBHOOK,
    Channel,
    Chaos,
    DeliveryAttempted,
    Job,
    JobOutcome,
    Partner,
    Rescheduled,
    Store,
    WebhookAttempt,
)

EXCERPT_CHARS = 500
MAX_RETRY_AFTER = 3600.0
GONE = 410  # the receiver asks us to stop: no retry, endpoint held (durably) until a replay
TOO_MANY = 429
HOLDS_REFRESH_SECONDS = 2.0  # how stale another process's 410 hold may be here


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    secrets: list[str]
    headers: dict[str, str] = field(default_factory=dict)
    chaos: Chaos = field(default_factory=Chaos)


@dataclass(frozen=True, slots=True)
class Outcome:
    attempt: WebhookAttempt
    ok: bool
    retry_after: float | None = None


class WebhookDeliverer:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        http: HttpClient,
        retry: RetryPolicy,
        channels: TtlCache[str, Channel | None],
        partners: TtlCache[str, Partner | None],
        *,
        retry_4xx: bool = True,
        allow_private: bool = True,
        batch_size: int = 1,
    ) -> None:
        self._store = store
        self._clock = clock
        self._http = http
        self._retry = retry
        self._channels = channels
        self._partners = partners
        self._retry_4xx = retry_4xx
        self._allow_private = allow_private
        self._rng = random.Random()
        self.endpoints = EndpointBook()
        self.failures = FailureLog()  # the error log of failed deliveries (helper 17's hook)
        self._holds_read_at = float("-inf")
        self._batch_size = batch_size
        self._batches: dict[int, batches.Batch] = {}  # planned by `prepare`, by job id

    async def _target(self, job: Job) -> Target | None:
        now = self._clock.now()
        if job.kind == PARTNER_WEBHOOK:
            partner = await self._partners.get(job.ref)
            if partner is None or partner.webhook_url is None:
                return None
            return Target(partner.webhook_url, partner.signing_secrets(now))
        channel = await self._channels.get(job.ref)
        if channel is None or channel.webhook_url is None:
            return None
        owner = await self._partners.get(channel.partner_id)
        return Target(
            channel.webhook_url,
            owner.signing_secrets(now) if owner else [],
            channel.webhook_headers,
            channel.chaos,
        )

    async def prepare(self, jobs: list[Job]) -> None:
        """Refresh the endpoints held after a 410 (durable, shared by every process), and
        plan which of these jobs leave together (delivery/batches.py)."""
        now = self._clock.now()
        if now - self._holds_read_at >= HOLDS_REFRESH_SECONDS or now < self._holds_read_at:
            self.endpoints.set_held(await self._store.held_endpoints())
            self._holds_read_at = now
        if self._batch_size > 1:
            self._batches.update(batches.plan(jobs, self._batch_size))

    async def handle(self, job: Job) -> list[JobOutcome]:
        batch = self._batches.pop(job.id, None)
        if batch is None:
            return (await self._handle_group([job], job.payload))[job.id]
        if job.id != batch.leader.id:
            return (await batch.outcomes)[job.id]
        try:
            outcomes = await self._handle_group(batch.jobs, batch.body)
        except asyncio.CancelledError:
            batch.outcomes.cancel()
            raise
        except Exception as exc:
            batch.outcomes.set_exception(exc)  # the others fail with it; leases bring them back
            raise
        batch.outcomes.set_result(outcomes)
        return outcomes[job.id]

    async def _handle_group(
        self, jobs: list[Job], body: bytes | None
    ) -> dict[int, list[JobOutcome]]:
        """Deliver `body` (one job's payload, or a batch's) for every job of `jobs`, which
        share one target: the same request, each job's own attempt record and retry."""
        target = await self._target(jobs[0])
        now = self._clock.now()

        def failed(attempt: WebhookAttempt) -> dict[int, list[JobOutcome]]:
            return {
                job.id: [DeliveryAttempted(job, replace(attempt, job_id=job.id), False, None)]
                for job in jobs
            }

        if target is None or body is None:
            attempt = WebhookAttempt(0, "", now, None, 0.0, None, "no webhook URL configured")
            return failed(attempt)
        health = self.endpoints.get(target.url)
        if health.gone:
            # The receiver asked us to stop: no request; failed, visible, replayable.
            attempt = WebhookAttempt(0, target.url, now, None, 0.0, None, ENDPOINT_HELD)
            return failed(attempt)
        if health.backing_off_until > now:
            # Not an attempt: the endpoint is resting; try again when it may take traffic.
            until = health.backing_off_until
            return {job.id: [Rescheduled(job, until, "endpoint backing off")] for job in jobs}
        if not self._allow_private:
            try:  # DNS may have changed since the URL was set
                await check_webhook_url(target.url, allow_private=False)
            except GraphError as refused:
                attempt = WebhookAttempt(0, target.url, now, None, 0.0, None, refused.details)
                return failed(attempt)
        outcome = await self._deliver(body, target, health)
        gone = outcome.attempt.status_code == GONE
        recorded: dict[int, list[JobOutcome]] = {}
        for job in jobs:
            attempt = replace(outcome.attempt, job_id=job.id)
            retry_at = self._next_try(job, outcome)
            if not outcome.ok:
                self.failures.failed(job.kind, attempt, retry_at)
            recorded[job.id] = [
                DeliveryAttempted(
                    job, attempt, done=outcome.ok, retry_at=retry_at, hold_endpoint=gone
                )
            ]
        if outcome.ok and target.chaos.duplicates and self._rng.random() < target.chaos.duplicates:
            duplicate = await self._deliver(body, target, health)  # chaos: the same event again
            for job in jobs:
                attempt = replace(duplicate.attempt, job_id=job.id)
                recorded[job.id].append(DeliveryAttempted(job, attempt, done=True, retry_at=None))
        return recorded

    def _next_try(self, job: Job, outcome: Outcome) -> float | None:
        if outcome.ok:
            return None
        status = outcome.attempt.status_code
        # 429 asks us to slow down, not to stop: retried (after its Retry-After) even
        # where other 4xx answers are final.
        refused = status is not None and 400 <= status < 500 and status != TOO_MANY
        if status == GONE or (refused and not self._retry_4xx):
            return None
        now = self._clock.now()
        at = self._retry.next_attempt(job.attempts, job.created_at, now, self._rng)
        if at is not None and outcome.retry_after is not None:
            at = max(at, now + min(outcome.retry_after, MAX_RETRY_AFTER))
        return at

    async def _deliver(self, body: bytes, target: Target, health: EndpointHealth) -> Outcome:
        headers = {"Content-Type": "application/json", **target.headers}
        if target.secrets:
            # Wall time, not the sandbox clock: receivers check it against their own clock.
            timestamp = int(time.time())
            headers[MMGATE_TIMESTAMP_HEADER] = str(timestamp)
            headers[MMGATE_SIGNATURE_HEADER] = ",".join(
                sign_delivery(secret, timestamp, body) for secret in target.secrets
            )
        async with health.semaphore:
            health.in_flight += 1
            try:
                outcome = await self._post(body, target.url, headers)
            finally:
                health.in_flight -= 1
        self.endpoints.record(health, outcome.ok, outcome.attempt.status_code, self._clock.now())
        return outcome

    async def _post(self, body: bytes, url: str, headers: dict[str, str]) -> Outcome:
        """One request; its attempt record carries job id 0 until each job takes a copy."""
        at = self._clock.now()
        started = time.perf_counter()
        try:
            response = await self._http.request("POST", url, headers=headers, body=body)
        except RequestFailed as exc:
            duration = (time.perf_counter() - started) * 1000
            error = str(exc)[:EXCERPT_CHARS]
            return Outcome(WebhookAttempt(0, url, at, None, duration, None, error), False)
        duration = (time.perf_counter() - started) * 1000
        ok = 200 <= response.status < 300
        attempt = WebhookAttempt(
            0,
            url,
            at,
            response.status,
            duration,
            response.body[: EXCERPT_CHARS * 4].decode("utf-8", "replace")[:EXCERPT_CHARS],
            None if ok else f"HTTP {response.status}",
        )
        return Outcome(attempt, ok, _retry_after(response.headers.get("retry-after"), at))


def _retry_after(value: str | None, now: float) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    if ascii_digits(value.strip()):
        return float(value.strip())
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None
