"""A restart puts back what the emulator's journal (emulator/durable.py) holds."""

from __future__ import annotations

import logging
from typing import Protocol

from mmgate.emulator.chats import ChatBook
from mmgate.emulator.conversations import Conversations
from mmgate.emulator.durable import FINAL, HELD, JournaledOverrides, MessageJournal, revived
from mmgate.emulator.messages import SimMessage
from mmgate.emulator.network import FollowUps
from mmgate.emulator.users import Behaviour
from mmgate.emulator.world import WorldStore

log = logging.getLogger(__name__)


class Resumer(Protocol):
    overrides: dict[str, Behaviour]
    conversations: Conversations
    chats: ChatBook
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
    network.followups = journal
    for record, status in held:
        message = revived(record, "read" if status == HELD else status, worlds)
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
