"""The emulator as one object: its world, clock, scheduler, network and webhooks."""

from __future__ import annotations

import asyncio
from pathlib import Path

from mmgate.clock import Clock
from mmgate.emulator.network import Network
from mmgate.emulator.onboarding import Onboarding
from mmgate.emulator.scheduler import Scheduler
from mmgate.emulator.templates import TemplateDesk
from mmgate.emulator.webhook_sender import WebhookSender
from mmgate.emulator.world import WorldStore
from mmgate.httpclient import HttpClient


class Emulator:
    def __init__(self, clock: Clock, world_path: Path | None, http: HttpClient) -> None:
        self.clock = clock
        self.worlds = WorldStore(world_path, clock)  # MM onboarding status reads the clock
        self.scheduler = Scheduler(clock)
        self.sender = WebhookSender(self.scheduler, self._webhook_target, http)
        self.network = Network(self.scheduler, self.sender)
        self.templates = TemplateDesk(self.worlds, self.scheduler, self.sender)
        self.onboarding = Onboarding(self.worlds, self.scheduler, self.sender)
        self.accepted = 0
        # Correlation values seen on sends, to count duplicate sends in the sandbox
        # (bounded: cleared past a million, so memory stays flat).
        self.seen_callbacks: set[str] = set()
        self.duplicate_sends = 0
        self._tasks: list[asyncio.Task[None]] = []

    def _webhook_target(self) -> tuple[str | None, str]:
        app = self.worlds.world.app
        if app is None:
            return None, ""
        return app.webhook_url, app.app_secret

    def start(self) -> None:
        self.onboarding.resume()
        self._tasks = [
            asyncio.create_task(self.scheduler.run(), name="emulator-scheduler"),
            asyncio.create_task(self.sender.run(), name="emulator-webhooks"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
