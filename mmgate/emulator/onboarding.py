"""Meta's side of MM API onboarding: signing the terms, intent-API requests, the
set-up delay and the `MM_LITE_TERMS_SIGNED` webhook (reference §1.3-1.5).

Every path (embedded signup, WhatsApp Manager, an accepted intent request) ends
in `sign`. Each eligible WABA then waits Meta's set-up delay on the one clock;
when it completes the WABA is ONBOARDED and one account_update webhook says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mmgate.domain.onboarding import (
    IntentRefusal,
    TermsState,
    ineligibility,
    intent_refusal,
    setup_due,
)
from mmgate.emulator.scheduler import Scheduler
from mmgate.emulator.webhook_sender import WebhookSender
from mmgate.emulator.world import Business, MetaUser, TermsRequest, Waba, WorldStore, terms_state
from mmgate.errors import GraphError
from mmgate.ids import new_numeric_id

ACCOUNT_UPDATE = "account_update"
TERMS_SIGNED_EVENT = "MM_LITE_TERMS_SIGNED"


class Refusal(StrEnum):
    """Why a person cannot do what they asked; each is a clear page."""

    UNKNOWN_BUSINESS = "UNKNOWN_BUSINESS"
    NOT_ADMIN = "NOT_ADMIN"
    ALREADY_SIGNED = "ALREADY_SIGNED"
    NO_ELIGIBLE_WABA = "NO_ELIGIBLE_WABA"
    UNKNOWN_REQUEST = "UNKNOWN_REQUEST"
    ALREADY_DECIDED = "ALREADY_DECIDED"


class OnboardingRefused(Exception):
    def __init__(self, refusal: Refusal, business: Business | None = None) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.business = business


@dataclass(frozen=True, slots=True)
class Signed:
    business: Business
    eligible: list[Waba]
    ready_at: float  # when the last eligible WABA's set-up completes


def terms_signed_value(owner_business_id: str, waba_id: str) -> dict[str, Any]:
    return {
        "event": TERMS_SIGNED_EVENT,
        "waba_info": {"owner_business_id": owner_business_id, "waba_id": waba_id},
    }


class Onboarding:
    def __init__(self, worlds: WorldStore, scheduler: Scheduler, sender: WebhookSender) -> None:
        self._worlds = worlds
        self._scheduler = scheduler
        self._sender = sender

    @property
    def setup_delay(self) -> float:
        return self._worlds.world.mm_setup_delay_seconds

    def eligible_wabas(self, business_id: str) -> list[Waba]:
        return [
            w
            for w in self._worlds.wabas_of(business_id)
            if ineligibility(self._worlds.eligibility(w)) is None
        ]

    def signable(self, user: MetaUser, business_id: str) -> Business:
        """The business, if `user` may sign its MM terms now; else why not."""
        business = self._worlds.business(business_id)
        if business is None or not is_member(user, business_id):
            raise OnboardingRefused(Refusal.UNKNOWN_BUSINESS)
        if business_id not in user.admin_of:
            raise OnboardingRefused(Refusal.NOT_ADMIN, business)
        if terms_state(business) is TermsState.TERM_OF_SERVICE_SIGNED:
            raise OnboardingRefused(Refusal.ALREADY_SIGNED, business)
        if not self.eligible_wabas(business_id):
            raise OnboardingRefused(Refusal.NO_ELIGIBLE_WABA, business)
        return business

    def sign(self, user: MetaUser, business_id: str) -> Signed:
        """An admin accepts the MM terms: they cover every eligible WABA of the business."""
        business = self.signable(user, business_id)
        now = self._worlds.clock.now()
        business.mm_terms = TermsState.TERM_OF_SERVICE_SIGNED.value
        business.mm_terms_signed_at = business.mm_terms_changed_at = now
        eligible = self.eligible_wabas(business_id)
        for waba in eligible:
            self._start_setup(waba, setup_due(now, waba.eligible_since, self.setup_delay))
        for request in self._worlds.terms_requests_of(business_id):
            if request.status == "PENDING":  # signing by any path answers the request
                request.status, request.decided_at, request.decided_by = "ACCEPTED", now, user.id
        self._worlds.save()
        ready_at = max(w.mm_setup_due_at or now for w in eligible)
        return Signed(business, eligible, ready_at)

    def request_terms(self, business_id: str) -> TermsRequest:
        """The intent API: a partner asks the business's admins to accept the terms."""
        business = self._worlds.business(business_id)
        if business is None:
            raise GraphError(
                100,
                f"Unsupported post request. Object with ID '{business_id}' does not exist, "
                "cannot be loaded due to missing permissions, or does not support this operation.",
            )
        refusal = intent_refusal(
            terms_state(business),
            [self._worlds.eligibility(w) for w in self._worlds.wabas_of(business_id)],
            business.country,
        )
        if refusal is IntentRefusal.DUPLICATE:
            raise GraphError(1752041)
        if refusal is not None:
            raise GraphError(
                100, _INTENT_REFUSALS[refusal], message="(#100) Invalid recipient type"
            )
        now = self._worlds.clock.now()
        app = self._worlds.world.app
        request = TermsRequest(
            id=new_numeric_id(),
            business_id=business_id,
            requested_by=app.business_id if app is not None else "",
            created_at=now,
        )
        self._worlds.world.terms_requests.append(request)
        business.mm_terms = TermsState.REQUEST_SENT.value
        business.mm_terms_changed_at = now
        self._worlds.save()
        return request

    def decide(self, user: MetaUser, request_id: str, *, accept: bool) -> Signed | None:
        """An admin answers a request in Settings > Requests; accepting signs the terms."""
        request = self._worlds.terms_request(request_id)
        if request is None or not is_member(user, request.business_id):
            raise OnboardingRefused(Refusal.UNKNOWN_REQUEST)
        business = self._worlds.business(request.business_id)
        if request.business_id not in user.admin_of:
            raise OnboardingRefused(Refusal.NOT_ADMIN, business)
        if request.status != "PENDING":
            raise OnboardingRefused(Refusal.ALREADY_DECIDED, business)
        if accept:
            return self.sign(user, request.business_id)
        now = self._worlds.clock.now()
        request.status, request.decided_at, request.decided_by = "REJECTED", now, user.id
        if business is not None and terms_state(business) is TermsState.REQUEST_SENT:
            business.mm_terms = TermsState.NOT_STARTED.value
            business.mm_terms_changed_at = now
        self._worlds.save()
        return None

    def waba_changed(self, waba: Waba, *, was_eligible: bool) -> None:
        """After a WABA is added or its facts change: one that becomes eligible in a
        signed business starts Meta's set-up, so it is onboarded too."""
        if was_eligible or ineligibility(self._worlds.eligibility(waba)) is not None:
            return
        now = self._worlds.clock.now()
        waba.eligible_since = now
        business = self._worlds.business(waba.business_id)
        if terms_state(business) is TermsState.TERM_OF_SERVICE_SIGNED:
            self._start_setup(waba, now + self.setup_delay)
        self._worlds.save()

    def resume(self) -> None:
        """After a restart: set-ups still waiting for their webhook are scheduled again."""
        for waba in self._worlds.world.wabas:
            if waba.mm_setup_due_at is not None and not waba.mm_terms_notified:
                self._schedule(waba.id, waba.mm_setup_due_at)

    def _start_setup(self, waba: Waba, due: float) -> None:
        waba.mm_setup_due_at = due
        self._schedule(waba.id, due)

    def _schedule(self, waba_id: str, due: float) -> None:
        self._scheduler.at(due, lambda now: self._setup_complete(waba_id, now))

    def _setup_complete(self, waba_id: str, now: float) -> None:
        waba = self._worlds.waba(waba_id)
        # A WABA that became ineligible meanwhile, or whose set-up restarted later,
        # is not onboarded now: no webhook (never one for an ineligible WABA).
        if waba is None or waba.mm_terms_notified or not self._worlds.is_onboarded(waba):
            return
        waba.mm_terms_notified = True
        self._worlds.save()
        app = self._worlds.world.app
        entry_id = app.business_id if app is not None and app.business_id else waba.business_id
        self._sender.emit(
            entry_id,
            ACCOUNT_UPDATE,
            terms_signed_value(waba.business_id, waba.id),
            now,
            entry_time=int(now),
        )


def is_member(user: MetaUser, business_id: str) -> bool:
    return business_id in user.admin_of or business_id in user.employee_of


_INTENT_REFUSALS = {
    IntentRefusal.ALREADY_SIGNED: "The business has already accepted the Marketing Messages "
    "API for WhatsApp terms of service.",
    IntentRefusal.NO_COUNTRY_ELIGIBLE_WABA: "The business is not eligible: it is not in an "
    "allowlisted country or shares no WhatsApp Business Account in an eligible tax country.",
}
