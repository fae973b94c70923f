"""MM API onboarding rules (reference §1): pure, no I/O; time comes in as `now`.

The Terms of Service are signed per Business Manager; eligibility and onboarding
status are per WABA. A WABA of a signed Business Manager is onboarded once it is
eligible and Meta's internal set-up (a delay of minutes) has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# 360dialog: "up to about 10 minutes"; a few minutes is the usual experience.
DEFAULT_SETUP_DELAY_SECONDS = 300.0

# Sanctioned regions (reference §1.2): ISO 3166-1 countries, plus the ISO 3166-2 codes
# of Crimea, Donetsk and Luhansk, which a tax address can name but a country code cannot.
UNSUPPORTED_COUNTRIES = frozenset({"CU", "IR", "KP", "SY", "VE", "UA-43", "UA-14", "UA-09"})


class TermsState(StrEnum):
    NOT_STARTED = "NOT_STARTED"
    REQUEST_SENT = "REQUEST_SENT"
    TERM_OF_SERVICE_SIGNED = "TERM_OF_SERVICE_SIGNED"


class OnboardingStatus(StrEnum):
    """`marketing_messages_onboarding_status` of a WABA."""

    INELIGIBLE_ON_BEHALF_OF_WABA = "INELIGIBLE_ON_BEHALF_OF_WABA"
    INELIGIBLE_INACTIVE_OR_RESTRICTED = "INELIGIBLE_INACTIVE_OR_RESTRICTED"
    INELIGIBLE_COUNTRY_NOT_SUPPORTED = "INELIGIBLE_COUNTRY_NOT_SUPPORTED"
    INELIGIBLE_USING_WHATSAPP_BUSINESS_APP = "INELIGIBLE_USING_WHATSAPP_BUSINESS_APP"
    ELIGIBLE = "ELIGIBLE"
    PENDING_INTERNAL_SETUP = "PENDING_INTERNAL_SETUP"
    ONBOARDED = "ONBOARDED"

    @property
    def is_eligible(self) -> bool:
        return not self.value.startswith("INELIGIBLE_")


@dataclass(frozen=True, slots=True)
class WabaEligibility:
    """The facts of a WABA that decide whether it may use MM API."""

    on_behalf_of: bool = False  # owned by the partner on the client's behalf (OBO)
    active: bool = True
    restricted: bool = False  # restricted from messaging for policy violations
    tax_country: str = "GB"
    owner_country: str = "GB"  # the owning business's country
    uses_whatsapp_business_app: bool = False


def ineligibility(facts: WabaEligibility) -> OnboardingStatus | None:
    """The first reason the WABA cannot use MM API, or None when it is eligible.

    The order follows what the business would have to fix first: ownership, then
    account standing, then country, then the app.
    """
    if facts.on_behalf_of:
        return OnboardingStatus.INELIGIBLE_ON_BEHALF_OF_WABA
    if not facts.active or facts.restricted:
        return OnboardingStatus.INELIGIBLE_INACTIVE_OR_RESTRICTED
    if not country_supported(facts.tax_country) or not country_supported(facts.owner_country):
        return OnboardingStatus.INELIGIBLE_COUNTRY_NOT_SUPPORTED
    if facts.uses_whatsapp_business_app:
        return OnboardingStatus.INELIGIBLE_USING_WHATSAPP_BUSINESS_APP
    return None


def country_supported(country: str) -> bool:
    return country.strip().upper() not in UNSUPPORTED_COUNTRIES


def waba_status(
    facts: WabaEligibility, terms: TermsState, setup_due_at: float | None, now: float
) -> OnboardingStatus:
    """The WABA's status at `now`; `setup_due_at` is when Meta's set-up completes."""
    reason = ineligibility(facts)
    if reason is not None:
        return reason
    if terms is not TermsState.TERM_OF_SERVICE_SIGNED:
        return OnboardingStatus.ELIGIBLE
    if setup_due_at is None or now < setup_due_at:
        return OnboardingStatus.PENDING_INTERNAL_SETUP
    return OnboardingStatus.ONBOARDED


def setup_due(signed_at: float, eligible_since: float, delay_seconds: float) -> float:
    """Set-up starts when both hold: the terms are signed and the WABA is eligible."""
    return max(signed_at, eligible_since) + delay_seconds


def lite_api_status(status: OnboardingStatus) -> str:
    """The older `marketing_messages_lite_api_status` (INELIGIBLE / ELIGIBLE / ONBOARDED)."""
    if status is OnboardingStatus.ONBOARDED:
        return "ONBOARDED"
    return "ELIGIBLE" if status.is_eligible else "INELIGIBLE"


class IntentRefusal(StrEnum):
    """Why the intent API (`onboard_partners_to_mm_lite`) refuses a business."""

    DUPLICATE = "DUPLICATE"
    ALREADY_SIGNED = "ALREADY_SIGNED"
    NO_COUNTRY_ELIGIBLE_WABA = "NO_COUNTRY_ELIGIBLE_WABA"


def intent_refusal(
    terms: TermsState, wabas: list[WabaEligibility], owner_country: str
) -> IntentRefusal | None:
    """Reference §1.3 D: the business has not signed, shares 1+ WABAs with the partner
    (shared or OBO: both count) and has 1+ WABA in an eligible tax country."""
    if terms is TermsState.REQUEST_SENT:
        return IntentRefusal.DUPLICATE
    if terms is TermsState.TERM_OF_SERVICE_SIGNED:
        return IntentRefusal.ALREADY_SIGNED
    if not country_supported(owner_country) or not any(
        country_supported(w.tax_country) for w in wabas
    ):
        return IntentRefusal.NO_COUNTRY_ELIGIBLE_WABA
    return None
