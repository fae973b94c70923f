"""What the emulator remembers of recent messages, per recipient: the chat a phone
page shows and the messages a sandbox click can still reach.

Bounded on purpose, so memory stays flat however many recipients a campaign
reaches: the last `per_chat` messages of the `max_chats` recipients messaged most
recently, and nothing older than the 7-day click window. A message still in
flight is also held by its scheduled events, so forgetting it here never stops
its lifecycle; it only takes it off the phone page.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterator

from mmgate.domain import correlation
from mmgate.emulator.messages import SimMessage

MAX_CHATS = 2000
PER_CHAT = 20
KEEP_SECONDS = 7 * 24 * 3600.0  # clicks are only reported for messages of the last 7 days


class ChatBook:
    def __init__(self, max_chats: int = MAX_CHATS, per_chat: int = PER_CHAT) -> None:
        self._max_chats = max_chats
        self._per_chat = per_chat
        # Least recently messaged first, so the oldest chats are forgotten first.
        self._chats: collections.OrderedDict[str, collections.deque[SimMessage]] = (
            collections.OrderedDict()
        )
        # Told of each message the book lets go, so the emulator's journal keeps a
        # finished message only while a phone page can show it (emulator/durable.py).
        self.on_forget: Callable[[SimMessage], None] | None = None

    def __len__(self) -> int:
        return len(self._chats)

    def add(self, message: SimMessage) -> None:
        chat = self._chats.get(message.wa_id)
        if chat is None:
            chat = self._chats[message.wa_id] = collections.deque(maxlen=self._per_chat)
            if len(self._chats) > self._max_chats:
                self._drop_oldest()
        else:
            self._chats.move_to_end(message.wa_id)
            if len(chat) == chat.maxlen and self.on_forget is not None:
                self.on_forget(chat[0])  # pushed out by the append below
        chat.append(message)
        self._forget_before(message.sent_at - KEEP_SECONDS)

    def _forget_before(self, cutoff: float) -> None:
        """Drop whole chats whose last message is older than `cutoff` (oldest first)."""
        while self._chats:
            oldest = next(iter(self._chats.values()))
            if oldest and oldest[-1].sent_at >= cutoff:
                return
            self._drop_oldest()

    def _drop_oldest(self) -> None:
        _, chat = self._chats.popitem(last=False)
        if self.on_forget is not None:
            for message in chat:
                self.on_forget(message)

    def chat(self, wa_id: str) -> list[SimMessage]:
        """The chat, oldest message first."""
        return list(self._chats.get(wa_id, ()))

    def find(self, wamid: str) -> SimMessage | None:
        """A remembered message by Meta's wamid, or by the wamid the gateway gave its
        client (carried in `biz_opaque_callback_data`; a sandbox convenience: a scan
        of at most max_chats x per_chat messages)."""
        for message in self._messages():
            if message.meta_wamid == wamid or correlation.split(message.callback_data)[0] == wamid:
                return message
        return None

    def _messages(self) -> Iterator[SimMessage]:
        for chat in reversed(self._chats.values()):
            yield from reversed(chat)

    def clear(self) -> None:
        self._chats.clear()
