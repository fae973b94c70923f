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
from collections.abc import Iterator

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

    def __len__(self) -> int:
        return len(self._chats)

    def add(self, message: SimMessage) -> None:
        chat = self._chats.get(message.wa_id)
        if chat is None:
            chat = self._chats[message.wa_id] = collections.deque(maxlen=self._per_chat)
            if len(self._chats) > self._max_chats:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(message.wa_id)
        chat.append(message)
        self._forget_before(message.sent_at - KEEP_SECONDS)

    def _forget_before(self, cutoff: float) -> None:
        """Drop whole chats whose last message is older than `cutoff` (oldest first)."""
        while self._chats:
            oldest = next(iter(self._chats.values()))
            if oldest and oldest[-1].sent_at >= cutoff:
                return
            self._chats.popitem(last=False)

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
