"""Sends accepted messages upstream with one Graph call each.

A send is repeated only when it provably never reached Meta; when its outcome is
unknown (a timeout after the request left, or a worker that died mid-call) the
message is marked `unknown` and its webhooks settle it (design §1.1).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable

import msgspec

from mmgate.clock import Clock
from mmgate.delivery.records import UpstreamRequest, decode_request
from mmgate.delivery.retry import RetryPolicy
from mmgate.domain import lifecycle
from mmgate.domain.webhooks import envelope, status_object, status_value
from mmgate.errors import GraphError
from mmgate.storage.port import LEASE_EXPIRED, Job, Store
from mmgate.upstream.graph import GraphClient, UpstreamUnavailable, is_retryable

log = logging.getLogger(__name__)


class UpstreamDispatcher:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        graph: GraphClient,
        retry: RetryPolicy,
        *,
        report_expired_as_failed: bool,
        wake_relay: Callable[[], None],
    ) -> None:
        self._store = store
        self._clock = clock
        self._graph = graph
        self._retry = retry
        self._report_expired = report_expired_as_failed
        self._rng = random.Random()
        self._wake_relay = wake_relay

    async def handle(self, job: Job) -> None:
        assert job.payload is not None
        request = decode_request(job.payload)
        now = self._clock.now()
        if job.last_error == LEASE_EXPIRED:
            await self._store.upstream_settled(job, lifecycle.UNKNOWN, LEASE_EXPIRED, None, now)
            return
        if now >= request.expires_at:
            await self._expire(job, request, now)
            return
        try:
            meta_wamid = await self._graph.send(
                request.phone_number_id, request.endpoint, request.body
            )
        except UpstreamUnavailable as exc:
            if exc.may_have_arrived:
                await self._store.upstream_settled(job, lifecycle.UNKNOWN, str(exc), None, now)
            else:
                await self._retry_or_expire(job, request, str(exc))
        except GraphError as error:
            if is_retryable(error):
                await self._retry_or_expire(job, request, error.message)
            else:
                await self._fail(job, request, error)
        else:
            await self._store.upstream_accepted(job, meta_wamid, self._clock.now())

    async def _retry_or_expire(self, job: Job, request: UpstreamRequest, reason: str) -> None:
        now = self._clock.now()
        at = self._retry.next_attempt(job.attempts, job.created_at, now, self._rng)
        if at is None or at >= request.expires_at:
            await self._expire(job, request, now)
        else:
            await self._store.reschedule(job, at, reason)

    async def _expire(self, job: Job, request: UpstreamRequest, now: float) -> None:
        relay = None
        if self._report_expired:
            relay = failed_status_body(job.ref, request, GraphError(1360002), now)
        await self._store.upstream_settled(job, lifecycle.EXPIRED, "ttl expired", relay, now)
        self._wake_relay()

    async def _fail(self, job: Job, request: UpstreamRequest, error: GraphError) -> None:
        now = self._clock.now()
        relay = failed_status_body(job.ref, request, error, now)
        await self._store.upstream_settled(job, lifecycle.FAILED, error.message, relay, now)
        self._wake_relay()


def failed_status_body(
    wamid: str, request: UpstreamRequest, error: GraphError, now: float
) -> bytes:
    """A Meta-shaped `failed` status for an error Meta answered synchronously."""
    status = status_object(
        meta_wamid=wamid,
        status="failed",
        timestamp=now,
        wa_id=request.recipient,
        pricing_category=None,
        conversation_id=None,
        conversation_expires=None,
        callback_data=request.client_callback_data,
        errors=[error.webhook_error()],
    )
    value = status_value(
        phone_number_id=request.phone_number_id,
        display_phone_number=request.display_phone_number,
        wa_id=request.recipient,
        profile_name=None,
        status=status,
    )
    return msgspec.json.encode(envelope(request.waba_id, "messages", [value]))
