"""Client webhooks that leave together: what one claim holds for one channel goes out as
one Meta notification whose `entry` array carries every event, in the claim's order.

Meta's own notifications are envelopes of this shape (`object` + an `entry` array) and
Meta aggregates events into one notification when many are due at once, so a receiver
written for Meta already reads several events per request. Batching costs no latency:
nothing waits for a batch to fill; a claim that found one event sends one. Under load a
claim finds many, and one request (one signature, one connection turn) carries them: the
relay's cost per message falls with the load instead of growing with it.

A claim holds at most one job per message (a message's later webhooks wait behind its
earlier ones), so a batch never reorders one message's statuses. Every job keeps its own
attempt record, outcome and retry schedule; a batch that fails is retried job by job.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field

import msgspec

from mmgate.storage.port import CLIENT_WEBHOOK, Job, JobOutcome


class _Notification(msgspec.Struct):
    object: str
    entry: list[msgspec.Raw]


_decode = msgspec.json.Decoder(_Notification).decode
_encode = msgspec.json.Encoder().encode


def merged(payloads: Iterable[bytes]) -> bytes | None:
    """One notification holding every entry of `payloads`, in order; None when one of
    them is not a Meta notification, or they are about different objects."""
    kinds: set[str] = set()
    entries: list[msgspec.Raw] = []
    for payload in payloads:
        try:
            notification = _decode(payload)
        except msgspec.DecodeError:
            return None
        kinds.add(notification.object)
        entries.extend(notification.entry)
    if len(kinds) != 1:
        return None
    return _encode({"object": kinds.pop(), "entry": entries})


@dataclass(slots=True)
class Batch:
    """Jobs that leave in one request; the first job's task sends it, the others wait
    for their outcomes."""

    jobs: list[Job]
    body: bytes
    outcomes: asyncio.Future[dict[int, list[JobOutcome]]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    @property
    def leader(self) -> Job:
        return self.jobs[0]


def plan(jobs: list[Job], size: int) -> dict[int, Batch]:
    """The batches of a claim, by job id: client webhooks of one channel, `size` at most
    each. Jobs left out (alone, another kind, not a Meta notification) go one by one."""
    by_channel: dict[str, list[Job]] = {}
    for job in jobs:
        if job.kind == CLIENT_WEBHOOK and job.payload is not None:
            by_channel.setdefault(job.ref, []).append(job)
    planned: dict[int, Batch] = {}
    for group in by_channel.values():
        for start in range(0, len(group), size):
            chunk = group[start : start + size]
            body = merged(job.payload for job in chunk if job.payload is not None)
            if len(chunk) < 2 or body is None:
                continue
            batch = Batch(chunk, body)
            planned.update((job.id, batch) for job in chunk)
    return planned
