"""Sends accepted messages upstream with one Graph call each.

A send is repeated only when it provably never reached Meta; when its outcome is
unknown (a timeout after the request left, or a worker that died mid-call) the
message is marked `unknown` and its webhooks settle it (design §1.1).
"""

from __future__ import annotations

import logging
import random

import msgspec

from mmgate.clock import Clock
from mmgate.delivery.records import UpstreamRequest, decode_request
from mmgate.domain import lifecycle
from mmgate.domain.retry import RetryPolicy
from mmgate.domain.webhooks import envelope, status_object, status_value
from mmgate.errors import GraphError
from mmgate.storage.port import (
    Job,
    JobOutcome,
    Rescheduled,
    SendAccepted,
    SendSettled,
    Store,
)
from mmgate.upstream.graph import GraphClient, UpstreamUnavailable, is_retryable

log = logging.getLogger(__name__)


IN_DOUBT = "in doubt: the send was in flight when its worker stopped"


class UpstreamDispatcher:
    """The outbox runner for upstream sends: decides, marks started, sends, answers the
    outcome (the worker records it)."""

    def __init__(
        self,
        clock: Clock,
        graph: GraphClient,
        retry: RetryPolicy,
        store: Store,
        *,
        report_expired_as_failed: bool,
    ) -> None:
        self._clock = clock
        self._graph = graph
        self._retry = retry
        self._store = store
        self._report_expired = report_expired_as_failed
        self._rng = random.Random()

    async def prepare(self, jobs: list[Job]) -> None:
        """Mark the sends about to leave, in one write, before any leaves: after a crash
        a job that was claimed but never marked is provably unsent and is sent again."""
        now = self._clock.now()
        leaving = [job for job in jobs if job.started_at is None and not _expired(job, now)]
        if leaving:
            await self._store.mark_started(leaving, now)

    async def handle(self, job: Job) -> list[JobOutcome]:
        request = decode_request(_payload(job))
        now = self._clock.now()
        if job.started_at is not None:
            # Started by a worker that stopped mid-call: it may have reached Meta. Never
            # repeated; its webhooks settle it (our wamid rides in the callback data), and
            # if none comes within its TTL the client is told it failed.
            return [SendSettled(job, lifecycle.UNKNOWN, IN_DOUBT, None)]
        if now >= request.expires_at:
            return [self._expire(job, request, now)]
        try:
            meta_wamid = await self._graph.send(
                request.phone_number_id, request.endpoint, request.body
            )
        except UpstreamUnavailable as exc:
            if exc.may_have_arrived:
                return [SendSettled(job, lifecycle.UNKNOWN, str(exc), None)]
            return [self._retry_or_expire(job, request, str(exc))]
        except GraphError as error:
            if is_retryable(error):
                return [self._retry_or_expire(job, request, error.message)]
            relay = failed_status_body(job.ref, request, error, self._clock.now())
            return [SendSettled(job, lifecycle.FAILED, error.message, relay)]
        return [SendAccepted(job, meta_wamid)]

    def _retry_or_expire(self, job: Job, request: UpstreamRequest, reason: str) -> JobOutcome:
        """The send provably never reached Meta: again later (unmarked), or expire."""
        now = self._clock.now()
        at = self._retry.next_attempt(job.attempts, job.created_at, now, self._rng)
        if at is None or at >= request.expires_at:
            return self._expire(job, request, now)
        return Rescheduled(job, at, reason)

    def _expire(self, job: Job, request: UpstreamRequest, now: float) -> JobOutcome:
        relay = None
        if self._report_expired:
            relay = failed_status_body(job.ref, request, GraphError(1360002), now)
        return SendSettled(job, lifecycle.EXPIRED, "ttl expired", relay)


def _payload(job: Job) -> bytes:
    assert job.payload is not None, "an upstream send always carries its request"
    return job.payload


def _expired(job: Job, now: float) -> bool:
    return now >= decode_request(_payload(job)).expires_at


def failed_status_body(
    wamid: str, request: UpstreamRequest, error: GraphError, now: float
) -> bytes:
    """A Meta-shaped `failed` status for an error Meta answered synchronously."""
    return failed_status(
        wamid,
        error,
        now,
        recipient=request.recipient,
        phone_number_id=request.phone_number_id,
        display_phone_number=request.display_phone_number,
        waba_id=request.waba_id,
        callback_data=request.client_callback_data,
    )


def failed_status(
    wamid: str,
    error: GraphError,
    now: float,
    *,
    recipient: str,
    phone_number_id: str,
    display_phone_number: str,
    waba_id: str,
    callback_data: str | None,
) -> bytes:
    """The relay body of a `failed` status the gateway itself reports, in Meta's shape."""
    status = status_object(
        meta_wamid=wamid,
        status="failed",
        timestamp=now,
        wa_id=recipient,
        pricing_category=None,
        conversation_id=None,
        conversation_expires=None,
        callback_data=callback_data,
        errors=[error.webhook_error()],
    )
    value = status_value(
        phone_number_id=phone_number_id,
        display_phone_number=display_phone_number,
        wa_id=recipient,
        profile_name=None,
        status=status,
    )
    return msgspec.json.encode(envelope(waba_id, "messages", [value]))
