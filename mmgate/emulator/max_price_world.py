"""What Meta keeps about max price enrolment, inside the emulator's world file."""

from __future__ import annotations

import msgspec


class EndBusiness(msgspec.Struct):
    """One end-business a Solution Partner allowlisted for max price."""

    end_business_id: str
    enrolled_time: int


class MaxPriceEnrolment(msgspec.Struct, omit_defaults=True):
    """A business's max price beta agreement and, for a Solution Partner, its allowlist."""

    status: str = "none"  # none | pending | accepted
    signer_name: str = ""
    signer_email: str = ""
    email_sent_at: float = 0.0
    end_businesses: list[EndBusiness] = []
