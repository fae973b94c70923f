"""One message as Meta holds it while it travels: what the send said, and where it is.

The same object is the recipient's chat entry (phone page) and what a click needs
(route, template, activity sharing, WABA and phone), so nothing is copied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mmgate.domain.payloads import Template
from mmgate.domain.routing import Route
from mmgate.emulator.world import PhoneNumber, TemplateRecord

# Where a message is; a status never moves back (a late scheduled event is skipped).
RANK = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 9, "expired": 9}


@dataclass(slots=True)
class SimMessage:
    meta_wamid: str
    waba_id: str
    phone: PhoneNumber
    wa_id: str
    pricing_category: str
    is_marketing: bool
    route: Route
    callback_data: str | None
    graph_version: int
    sent_at: float
    expires_at: float
    conversation_id: str
    # What the user sees and what a click needs; graph_api fills them for templates.
    template: TemplateRecord | None = None  # the world's record (shared, not copied)
    content: Template | None = None  # the send's `template` object: its parameters
    text: str | None = None  # a text message's body
    activity_sharing: bool | None = None  # `message_activity_sharing` of the send
    # Max price and spend (emulator/market.py, emulator/insights.py).
    country: str = "XX"  # the recipient's market, from the calling code
    bid: int | None = None  # effective max price per 1,000 deliveries (smallest unit)
    charge: int | None = None  # what Meta charged at delivery, same unit
    delivered_at: float | None = None
    read_at: float | None = None
    business_id: str = ""  # the WABA's business portfolio (business-scoped user ids)
    raw_components: list[dict[str, Any]] | None = None  # a rich template's, as sent (cards)
    interactive: dict[str, Any] | None = None  # an interactive message's object, as sent
    # Mutable state of the message at Meta.
    status: str = "accepted"
    failure: str | None = None  # "(#131049) title" when it failed
    tracking_token: str | None = None  # minted on the first click
    clicks: int = 0

    def advance_to(self, status: str) -> bool:
        """Move to `status` if it is further on; False when it would go back."""
        if RANK[status] <= RANK[self.status]:
            return False
        self.status = status
        return True
