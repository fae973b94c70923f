"""The pure onboarding rules (mmgate.domain.onboarding)."""

from __future__ import annotations

import pytest

from mmgate.domain.onboarding import (
    IntentRefusal,
    OnboardingStatus,
    TermsState,
    WabaEligibility,
    intent_refusal,
    lite_api_status,
    setup_due,
    waba_status,
)

SIGNED = TermsState.TERM_OF_SERVICE_SIGNED


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (WabaEligibility(on_behalf_of=True), OnboardingStatus.INELIGIBLE_ON_BEHALF_OF_WABA),
        (WabaEligibility(active=False), OnboardingStatus.INELIGIBLE_INACTIVE_OR_RESTRICTED),
        (WabaEligibility(restricted=True), OnboardingStatus.INELIGIBLE_INACTIVE_OR_RESTRICTED),
        (WabaEligibility(tax_country="IR"), OnboardingStatus.INELIGIBLE_COUNTRY_NOT_SUPPORTED),
        (WabaEligibility(tax_country="ua-43"), OnboardingStatus.INELIGIBLE_COUNTRY_NOT_SUPPORTED),
        (WabaEligibility(owner_country="KP"), OnboardingStatus.INELIGIBLE_COUNTRY_NOT_SUPPORTED),
        (
            WabaEligibility(uses_whatsapp_business_app=True),
            OnboardingStatus.INELIGIBLE_USING_WHATSAPP_BUSINESS_APP,
        ),
        # Ownership is named first: it is what the business must fix first.
        (
            WabaEligibility(on_behalf_of=True, restricted=True, tax_country="CU"),
            OnboardingStatus.INELIGIBLE_ON_BEHALF_OF_WABA,
        ),
    ],
)
def test_an_ineligible_waba_stays_ineligible_whatever_the_terms(
    facts: WabaEligibility, expected: OnboardingStatus
) -> None:
    for terms in TermsState:
        assert waba_status(facts, terms, setup_due_at=0.0, now=1000.0) is expected
    assert lite_api_status(expected) == "INELIGIBLE"


def test_an_eligible_waba_is_eligible_until_the_terms_are_signed() -> None:
    for terms in (TermsState.NOT_STARTED, TermsState.REQUEST_SENT):
        assert waba_status(WabaEligibility(), terms, None, 0.0) is OnboardingStatus.ELIGIBLE
    assert lite_api_status(OnboardingStatus.ELIGIBLE) == "ELIGIBLE"


def test_after_signing_set_up_runs_until_its_due_time_on_the_clock() -> None:
    due = setup_due(signed_at=1000.0, eligible_since=0.0, delay_seconds=300.0)
    assert due == 1300.0
    facts = WabaEligibility()
    assert waba_status(facts, SIGNED, due, 1299.9) is OnboardingStatus.PENDING_INTERNAL_SETUP
    assert waba_status(facts, SIGNED, due, 1300.0) is OnboardingStatus.ONBOARDED
    assert waba_status(facts, SIGNED, None, 9e9) is OnboardingStatus.PENDING_INTERNAL_SETUP
    assert lite_api_status(OnboardingStatus.PENDING_INTERNAL_SETUP) == "ELIGIBLE"
    assert lite_api_status(OnboardingStatus.ONBOARDED) == "ONBOARDED"


def test_a_waba_eligible_after_signing_starts_set_up_when_it_became_eligible() -> None:
    assert setup_due(signed_at=1000.0, eligible_since=5000.0, delay_seconds=300.0) == 5300.0


def test_intent_api_eligibility() -> None:
    ok, cuba = WabaEligibility(), WabaEligibility(tax_country="CU")
    obo = WabaEligibility(on_behalf_of=True)
    assert intent_refusal(TermsState.NOT_STARTED, [ok], "GB") is None
    assert intent_refusal(TermsState.NOT_STARTED, [obo], "GB") is None  # OBO counts as shared
    assert intent_refusal(TermsState.NOT_STARTED, [cuba, ok], "GB") is None
    assert intent_refusal(TermsState.REQUEST_SENT, [ok], "GB") is IntentRefusal.DUPLICATE
    assert intent_refusal(SIGNED, [ok], "GB") is IntentRefusal.ALREADY_SIGNED
    no_waba = IntentRefusal.NO_COUNTRY_ELIGIBLE_WABA
    assert intent_refusal(TermsState.NOT_STARTED, [cuba], "GB") is no_waba
    assert intent_refusal(TermsState.NOT_STARTED, [], "GB") is no_waba
    assert intent_refusal(TermsState.NOT_STARTED, [ok], "SY") is no_waba
