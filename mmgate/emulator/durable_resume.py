"""A restart puts back what the emulator's journal (emulator/durable.py) holds."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from mmgate.emulator.chats import ChatBook
from mmgate.emulator.conversations import Conversations
from mmgate.emulator.durable import FAILURE, FINAL, HELD, MessageJournal, revived
from mmgate.emulator.messages import SimMessage
from mmgate.emulator.network import FollowUps
from mmgate.emulator.users import Behaviour
from mmgate.emulator.world import WorldStore

log = logging.getLogger(__name__)


class JournaledOverrides(dict[str, Behaviour]):
    """`Network.overrides` that writes each change to the journal, so a recipient's
    behaviour (and a phone page opt-out) outlives a restart."""

    def __init__(self, journal: MessageJournal, initial: dict[str, Behaviour]) -> None:
        super().__init__(initial)
        self._journal = journal

    def __setitem__(self, number: str, behaviour: Behaviour) -> None:
        super().__setitem__(number, behaviour)
        self._journal.override(number, behaviour)

    def pop(self, number: str, default: Any = None) -> Any:
        found = super().pop(number, default)
        self._journal.override(number, None)
        return found

    def clear(self) -> None:
        super().clear()
        self._journal.clear_overrides()


class Resumer(Protocol):
    overrides: dict[str, Behaviour]
    conversations: Conversations
    chats: ChatBook
    offline: set[str]
    on_offline: Callable[[str, bool], None] | None
    on_tap: Callable[[SimMessage], None] | None
    followups: FollowUps | None

    def resume(self, message: SimMessage) -> None: ...


def resume_all(journal: MessageJournal, worlds: WorldStore, network: Resumer, now: float) -> int:
    """Open the journal and put every message it holds back on the network: in flight
    (its lifecycle goes on), awaiting its user's tap or answer (scheduled again), or
    final (back in its chat for the phone page); and what users wrote."""
    resumed = 0
    held = journal.open(now, worlds)
    network.overrides = JournaledOverrides(journal, {**network.overrides, **journal.overrides})
    network.conversations.restore(journal.conversations)
    network.conversations.on_change = journal.conversation
    network.conversations.on_clear = journal.clear_conversations
    network.conversations.on_unwrote = journal.unwrote
    network.conversations.restore_written(journal.written)
    network.conversations.on_wrote = journal.wrote
    network.chats.on_forget = journal.let_go
    network.on_tap = journal.tapped
    # A phone switched offline on its page (kept beside the windows; a reset clears both).
    network.offline.update(a for kind, a, _, _ in journal.conversations if kind == "offline")
    network.on_offline = lambda wa_id, off: journal.conversation(
        "offline", wa_id, "", 1.0 if off else None
    )
    network.followups = journal
    for record, saved in held:
        status, _, failure = saved.partition(FAILURE)
        message = revived(record, "read" if status == HELD else status, worlds)
        if message is not None and failure:
            message.failure = failure
        if message is None:
            journal.drop(record.meta_wamid)
        elif status in FINAL:
            network.chats.add(message)  # shown; nothing more will happen to it
        else:
            network.resume(message)
            resumed += 1
    if resumed:
        log.info("resumed %d messages in flight from %s", resumed, journal.path)
    return resumed
