"""Who may use max price: a business with an accepted agreement, or one its Solution
Partner (the app's business) enrolled (marketing-messages/pricing/enroll-max-price)."""

from __future__ import annotations

from mmgate.emulator.max_price_world import MaxPriceEnrolment
from mmgate.emulator.world import Business, Waba, WorldStore
from mmgate.errors import GraphError

# Meta's documented error for a max price used without the beta agreement (code 100).
NOT_SIGNED = "You need to sign the testing legal agreement before sending out messages."


def enrolment(business: Business) -> MaxPriceEnrolment:
    if business.max_price is None:
        business.max_price = MaxPriceEnrolment()
    return business.max_price


def accepted(business: Business | None) -> bool:
    return (
        business is not None
        and business.max_price is not None
        and (business.max_price.status == "accepted")
    )


def may_use_max_price(worlds: WorldStore, waba: Waba) -> bool:
    """Whether the WABA's business is enrolled, directly or through its partner."""
    owner = worlds.business(waba.business_id)
    if accepted(owner):
        return True
    app = worlds.world.app
    partner = worlds.business(app.business_id) if app is not None else None
    if not accepted(partner) or partner is None or partner.max_price is None:
        return False
    return any(e.end_business_id == waba.business_id for e in partner.max_price.end_businesses)


def require_enrolled(worlds: WorldStore, waba: Waba) -> None:
    if not may_use_max_price(worlds, waba):
        raise GraphError(100, NOT_SIGNED)
