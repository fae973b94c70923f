"""What a user and a business have between them, as Meta tracks it:

- the customer service window: 24 hours from the user's last message to that business
  number; free-form (non-template) messages outside it fail 131047;
- marketing preferences: a user who stopped marketing messages from a business (its
  WABA) gets none until they resume; sends fail 131050;
- what the user wrote (the phone page shows it beside what the business sent).

Bounded like the chats: the most recent `max_pairs` pairs are remembered.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mmgate.emulator.world import PhoneNumber

WINDOW_SECONDS = 24 * 3600.0
MAX_PAIRS = 20_000
PER_USER = 20


@dataclass(slots=True)
class UserMessage:
    """One message a user sent to a business, as the webhook carried it."""

    meta_wamid: str
    wa_id: str
    phone: PhoneNumber
    waba_id: str
    sent_at: float
    shown: str  # what the phone page shows in the user's bubble
    message: dict[str, Any] = field(default_factory=dict)  # the webhook's messages[0]


# (kind, a, b, value) of one change, for the emulator's journal (durable.py):
# ("window", phone_number_id, wa_id, last message at) or ("stopped", waba_id, wa_id, 1.0),
# value None when it goes.
Change = Callable[[str, str, str, float | None], None]


class Conversations:
    def __init__(self, max_pairs: int = MAX_PAIRS) -> None:
        self._max_pairs = max_pairs
        self._last_from_user: collections.OrderedDict[tuple[str, str], float] = (
            collections.OrderedDict()
        )
        self._stopped: set[tuple[str, str]] = set()  # (waba_id, wa_id)
        self._written: dict[str, collections.deque[UserMessage]] = {}
        self.on_change: Change | None = None  # set when journaled: Meta does not forget
        self.on_clear: Callable[[], None] | None = None
        # What the user wrote, kept and let go with the chat (emulator/durable_chats.py).
        self.on_wrote: Callable[[UserMessage], None] | None = None
        self.on_unwrote: Callable[[str], None] | None = None

    def restore(self, saved: list[tuple[str, str, str, float]]) -> None:
        """What a journal kept from the last run (oldest window first)."""
        for kind, a, b, value in saved:
            if kind == "window":
                self._last_from_user[(a, b)] = value
            elif kind == "stopped":
                self._stopped.add((a, b))
        while len(self._last_from_user) > self._max_pairs:
            self._last_from_user.popitem(last=False)

    def user_wrote(self, message: UserMessage) -> None:
        key = (message.phone.id, message.wa_id)
        self._last_from_user[key] = message.sent_at
        if self.on_change is not None:
            self.on_change("window", key[0], key[1], message.sent_at)
        self._last_from_user.move_to_end(key)
        if len(self._last_from_user) > self._max_pairs:
            self._last_from_user.popitem(last=False)
        self._keep_written(message)
        if self.on_wrote is not None:
            self.on_wrote(message)

    def restore_written(self, saved: list[UserMessage]) -> None:
        """What users wrote in the last run, oldest first (bounded as when written)."""
        for message in saved:
            self._keep_written(message)

    def _keep_written(self, message: UserMessage) -> None:
        written = self._written.get(message.wa_id)
        if written is None:
            if len(self._written) >= self._max_pairs:
                for gone in self._written.pop(next(iter(self._written))):
                    self._unwrote(gone)
            written = self._written[message.wa_id] = collections.deque(maxlen=PER_USER)
        elif len(written) == written.maxlen:
            self._unwrote(written[0])  # pushed out by the append below
        written.append(message)

    def _unwrote(self, message: UserMessage) -> None:
        if self.on_unwrote is not None:
            self.on_unwrote(message.meta_wamid)

    def window_closes_at(self, phone_number_id: str, wa_id: str) -> float | None:
        last = self._last_from_user.get((phone_number_id, wa_id))
        return None if last is None else last + WINDOW_SECONDS

    def window_open(self, phone_number_id: str, wa_id: str, now: float) -> bool:
        closes = self.window_closes_at(phone_number_id, wa_id)
        return closes is not None and now < closes

    def marketing_stopped(self, waba_id: str, wa_id: str) -> bool:
        return (waba_id, wa_id) in self._stopped

    def set_marketing(self, waba_id: str, wa_id: str, stopped: bool) -> bool:
        """Whether it changed."""
        key = (waba_id, wa_id)
        if (key in self._stopped) == stopped:
            return False
        if stopped:
            self._stopped.add(key)
        else:
            self._stopped.discard(key)
        if self.on_change is not None:
            self.on_change("stopped", waba_id, wa_id, 1.0 if stopped else None)
        return True

    def written_by(self, wa_id: str) -> list[UserMessage]:
        return list(self._written.get(wa_id, ()))

    def clear(self) -> None:
        self._last_from_user.clear()
        self._stopped.clear()
        self._written.clear()
        if self.on_clear is not None:
            self.on_clear()
