"""Diagnostic launcher: `mmgate serve` with the upstream dispatch worker paused.

It takes the same flags as `mmgate serve` and changes one thing: the outbox worker
that sends accepted messages to (the embedded) Meta never starts, so the core is
left to the accept path alone. The accept benchmark uses it to split the cost of
accepting from the cost of dispatching, which share one core in the embedded default.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any


def main() -> None:
    from mmgate import runtime
    from mmgate.cli.main import cli

    start = runtime.Workers.start

    def start_without_dispatch(self: Any, emulator: Any) -> None:
        async def paused() -> None:
            await asyncio.Event().wait()

        # Fails loudly (and the row is marked skipped) if the attribute is renamed.
        if not hasattr(self, "dispatch_worker"):
            raise RuntimeError("runtime.Workers has no dispatch_worker any more")
        self.dispatch_worker.run = paused
        start(self, emulator)

    runtime.Workers.start = start_without_dispatch  # type: ignore[method-assign]
    cli(["serve", *sys.argv[1:]])


if __name__ == "__main__":
    main()
