"""A message's timeline as the Hub shows it: accepted → sent upstream → sent → delivered
→ read (→ clicked), or failed / expired, then the steps still ahead (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from mmgate.storage.port import MessageDetail
from mmgate.ui.render import route_label

LABELS = {
    "accepted": "Accepted by mmgate",
    "sent_upstream": "Sent upstream to Meta",
    "sent": "Sent by Meta",
    "delivered": "Delivered to the phone",
    "read": "Read",
    "clicked": "CTA link clicked",
    "failed": "Failed",
    "expired": "Expired: not delivered within its TTL",
    "unknown": "Outcome unknown: the send was interrupted, waiting for Meta to tell",
}
TONES = {"failed": "bad", "expired": "warn", "unknown": "warn"}
FINAL = {"read", "failed", "expired"}
AHEAD = ["sent_upstream", "sent", "delivered", "read"]


@dataclass(frozen=True, slots=True)
class Step:
    status: str
    label: str
    at: float | None  # None: not happened yet
    detail: str | None
    tone: str  # good | bad | warn | pending


def steps(message: MessageDetail, now: float) -> list[Step]:
    m = message.summary
    accepted = f"{m.entry_point}, route requested: {route_label(m.route_requested)}"
    found = [Step("accepted", LABELS["accepted"], m.created_at, accepted, "good")]
    for event in message.events:
        detail = event.detail
        if event.status == "sent_upstream" and detail:
            detail = f"Meta's wamid {detail}"
        if event.status == "sent" and m.route_taken:
            detail = detail or f"via {route_label(m.route_taken)}"
        label = LABELS.get(event.status, event.status.replace("_", " ").capitalize())
        found.append(Step(event.status, label, event.at, detail, TONES.get(event.status, "good")))
    reached = {s.status for s in found}
    if not reached & FINAL:
        for status in AHEAD:
            if status not in reached and not _later_reached(status, reached):
                found.append(Step(status, LABELS[status], None, None, "pending"))
        if "delivered" not in reached and "read" not in reached:
            note = "dropped if not delivered by then" if message.expires_at > now else "past"
            found.append(Step("expires", "TTL ends", message.expires_at, note, "pending"))
    return found


def _later_reached(status: str, reached: set[str]) -> bool:
    """Statuses arrive out of order: a step is not "ahead" once a later one happened."""
    return any(later in reached for later in AHEAD[AHEAD.index(status) + 1 :])
