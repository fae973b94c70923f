"""The emulator as one object: its world, clock, scheduler, network and webhooks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from mmgate.clock import Clock, SandboxClock
from mmgate.emulator import sandbox_settings
from mmgate.emulator.durable import FILE_NAME as JOURNAL_FILE
from mmgate.emulator.durable import MessageJournal
from mmgate.emulator.durable_resume import resume_all
from mmgate.emulator.market import Market
from mmgate.emulator.network import Network
from mmgate.emulator.onboarding import Onboarding
from mmgate.emulator.recent import RecentSet
from mmgate.emulator.scheduler import Scheduler
from mmgate.emulator.spend import SpendBook
from mmgate.emulator.subscriptions import callback_for
from mmgate.emulator.templates import TemplateDesk
from mmgate.emulator.webhook_sender import Outgoing, WebhookSender
from mmgate.emulator.world import WorldStore
from mmgate.httpclient import HttpClient
from mmgate.storage.sqlite.engine import WriterKind


class Emulator:
    def __init__(
        self,
        clock: Clock,
        world_path: Path | None,
        http: HttpClient,
        *,
        batches_to: Callable[[str], bool] = lambda _url: False,
        journal_writer: WriterKind = "thread",
    ) -> None:
        self.clock = clock
        self.worlds = WorldStore(world_path, clock)  # MM onboarding status reads the clock
        self.http = http  # webhooks and the hub.challenge checks of callback URLs
        self.scheduler = Scheduler(clock)
        self.sender = WebhookSender(
            self.scheduler, self._webhook_target, http, batches_to=batches_to
        )
        # Messages in flight, journaled beside the world so a restart resumes them.
        journal_path = world_path.with_name(JOURNAL_FILE) if world_path is not None else None
        self.journal = MessageJournal(journal_path, writer=journal_writer)
        self.sender.on_delivered = self._reported
        # Due events wait while webhooks queue up: a clock jump over 100,000 recipients
        # then holds a bounded number of built webhooks, not all of them.
        self.scheduler.limit_by(self.sender.pending)
        self.network = Network(self.scheduler, self.sender)
        # Max price: the market and Meta's book of deliveries and charges.
        self.market = Market()
        self.spend = SpendBook(self.market)
        self.network.delivery_gate = self.spend.gate
        self.network.on_status = self.spend.on_status
        self.templates = TemplateDesk(self.worlds, self.scheduler, self.sender)
        self.onboarding = Onboarding(self.worlds, self.scheduler, self.sender)
        self.accepted = 0
        # Correlation values seen on sends, to count duplicate sends in the sandbox:
        # a bounded window of recent ones, so memory stays flat in finished recipients.
        self.seen_callbacks = RecentSet()
        self.duplicate_sends = 0
        self._tasks: list[asyncio.Task[None]] = []
        if isinstance(clock, SandboxClock):
            # First among the settlers: a jump waits until every due event has fired
            # and its webhooks have gone out, batch by batch as the queue drains.
            clock.on_settle(self.settle)

    def _webhook_target(self, item: Outgoing) -> tuple[str | None, str]:
        """Resolved when the webhook goes out (also on each retry): a subscription
        changed meanwhile takes effect, as on Meta."""
        app = self.worlds.world.app
        if app is None:
            return None, ""
        return callback_for(self.worlds, item.waba_id, item.field, item.value), app.app_secret

    async def settle(self, limit_seconds: float) -> None:
        """Fire everything due now, in order, and let its webhooks go out (bounded)."""
        try:
            async with asyncio.timeout(limit_seconds):
                while True:
                    self.scheduler.fire_due()
                    if not self.scheduler.due() and self.sender.pending() == 0:
                        return
                    await self.sender.settle(limit_seconds)
                    await asyncio.sleep(0)  # others run between batches
        except TimeoutError:
            return

    def reset(self) -> dict[str, int]:
        """The sandbox's users and traffic back to a clean state (docs/emulator.md)."""
        dropped = self.network.reset()
        self.journal.forget_all()
        # the population is back to its default: so is what a restart would restore
        self.journal.save_settings(
            sandbox_settings.encode(sandbox_settings.current(self.templates, self.network))
        )
        self.spend.reset()
        self.accepted = 0
        self.duplicate_sends = 0
        self.seen_callbacks.clear()
        self.sender.delivered = 0
        return {"dropped_events": dropped}

    def _reported(self, item: Outgoing) -> None:
        if item.chain is None or item.field != "messages":
            return
        for status in item.value.get("statuses") or ():
            errors = status.get("errors") or ()
            failure = f"(#{errors[0].get('code')}) {errors[0].get('title')}" if errors else None
            self.journal.reported(item.chain, str(status.get("status")), failure)

    def start(self) -> None:
        self.onboarding.resume()
        resume_all(self.journal, self.worlds, self.network, self.clock.now())
        if self.journal.settings is not None:
            sandbox_settings.apply(
                self.templates, self.network, sandbox_settings.decode(self.journal.settings)
            )
        self._tasks = [
            asyncio.create_task(self.scheduler.run(), name="emulator-scheduler"),
            asyncio.create_task(self.sender.run(), name="emulator-webhooks"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self.journal.close()
