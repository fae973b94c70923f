"""What the user answered to a message, read from the webhooks relayed for it (inbound
messages naming the message in `context`, reactions to it): the Hub shows the message, then
the user's replies (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from mmgate.storage.port import WebhookDelivery


@dataclass(frozen=True, slots=True)
class Reply:
    at: float
    kind: str  # text | button | interactive | reaction | …
    text: str


def replies_to(wamid: str, deliveries: list[WebhookDelivery]) -> list[Reply]:
    found = []
    for delivery in deliveries:
        for message in _messages(delivery.payload):
            context = message.get("context")
            reaction = message.get("reaction")
            answers = isinstance(context, dict) and context.get("id") == wamid
            reacts = isinstance(reaction, dict) and reaction.get("message_id") == wamid
            if answers or reacts:
                found.append(Reply(_at(message), str(message.get("type", "")), _shown(message)))
    return sorted(found, key=lambda r: r.at)


def _messages(payload: bytes | None) -> list[dict[str, Any]]:
    try:
        body = msgspec.json.decode(payload or b"null")
    except msgspec.DecodeError:
        return []
    found: list[dict[str, Any]] = []
    for entry in body.get("entry", []) if isinstance(body, dict) else []:
        for change in entry.get("changes", []) if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            messages = value.get("messages") if isinstance(value, dict) else None
            found += [m for m in messages or [] if isinstance(m, dict)]
    return found


def _at(message: dict[str, Any]) -> float:
    stamp = message.get("timestamp")
    return float(stamp) if isinstance(stamp, str) and stamp.isdigit() else 0.0


def _shown(message: dict[str, Any]) -> str:
    kind = message.get("type")
    part = message.get(kind) if isinstance(kind, str) else None
    if not isinstance(part, dict):
        return f"({kind})"
    if kind == "text":
        return str(part.get("body", ""))
    if kind == "button":
        return f"tapped “{part.get('text', '')}”"
    if kind == "reaction":
        return f"reacted {part.get('emoji', '')}"
    if kind == "interactive":
        choice = part.get(str(part.get("type")))
        title = choice.get("title") if isinstance(choice, dict) else None
        return f"chose “{title}”"
    return f"({kind})"
