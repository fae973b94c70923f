"""Sending a campaign's rows: paced, a bounded number in flight, every outcome recorded.

A row refused for a reason of its own (a bad number) is recorded and the campaign
goes on. A refusal every row would share (the template is missing, paused, not
MARKETING …), an unreachable server, a wrong key or throughput that outlasts the
SDK's retries halts the campaign instead: the rows in flight stay "in doubt" and
the next run resends them with the same idempotency keys.
"""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import dataclass
from typing import Any, Protocol

from mmgate.cli.campaign.pacer import Pacer
from mmgate.cli.campaign.plan import Row, message_for
from mmgate.cli.campaign.state import CampaignState
from mmgate.sdk import ApiError, AsyncClient, AuthenticationError, RateLimited, TransportError

MAX_IN_FLIGHT = 32
# Template-level refusals: every other row would get the same answer.
CAMPAIGN_WIDE_CODES = frozenset(
    {131055, 131063, 132000, 132001, 132015, 132016, 134100, 134101, 134102}
)


class CampaignHalted(Exception):
    """Sending stopped for a reason that applies to every row; the run can be resumed."""


class Tracker(Protocol):
    def row_done(self, accepted: bool) -> None: ...


@dataclass
class SendTally:
    accepted: int = 0
    refused: int = 0


class CampaignSender:
    def __init__(
        self,
        client: AsyncClient,
        state: CampaignState,
        tracker: Tracker,
        *,
        rate: float,
        stop_after: int | None = None,
    ) -> None:
        self._client = client
        self._state = state
        self._tracker = tracker
        self._pacer = Pacer(rate)
        self._slots = asyncio.Semaphore(MAX_IN_FLIGHT)
        self._stop_after = stop_after
        self._halt: CampaignHalted | None = None
        self.tally = SendTally()

    async def send(self, rows: list[Row]) -> SendTally:
        tasks: set[asyncio.Task[None]] = set()
        try:
            for row in rows:
                await self._pacer.wait()
                await self._slots.acquire()
                if self._halt is not None:
                    break
                task = asyncio.create_task(self._send_row(row))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            await asyncio.gather(*tasks)
        finally:
            # On Ctrl-C (cancellation) the rows in flight stay in doubt, keys recorded.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._halt is not None:
            raise self._halt
        return self.tally

    async def _send_row(self, row: Row) -> None:
        key = self._state.key_for(row)
        self._state.sending(row, key)
        try:
            sent = await self._deliver(row, key)
        except (TransportError, AuthenticationError, RateLimited) as exc:
            self._halt = self._halt or CampaignHalted(str(exc))
        except ApiError as exc:
            if exc.http_status >= 500 or exc.code in CAMPAIGN_WIDE_CODES:
                self._halt = self._halt or CampaignHalted(str(exc))
            else:
                self._state.refused(row, key, _error_record(exc))
                self.tally.refused += 1
                self._tracker.row_done(accepted=False)
        else:
            self._state.accepted(row, key, sent)
            self.tally.accepted += 1
            self._tracker.row_done(accepted=True)
            if self.tally.accepted == self._stop_after:
                # A debugging aid for tests of resuming: the very path a Ctrl-C takes.
                os.kill(os.getpid(), signal.SIGINT)
        finally:
            self._slots.release()

    async def _deliver(self, row: Row, key: str) -> str:
        message = message_for(self._state.spec, row)
        if self._state.spec.via == "messages":
            sent = await self._client.send_message(message, idempotency_key=key)
        else:
            sent = await self._client.send_marketing_message(message, idempotency_key=key)
        return sent.wamid


def _error_record(error: ApiError) -> dict[str, Any]:
    return {
        "code": error.code,
        "http_status": error.http_status,
        "message": error.message,
        "details": error.details,
    }
