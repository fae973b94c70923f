"""Meta's side of the workspace: the app, business portfolios, WABAs, numbers, templates,
the people who log in to Meta, and the MM terms requests between businesses.

The world is small and changes rarely, so it lives in memory and is written
atomically to one JSON file on every change (the gateway never reads it).
"""

from __future__ import annotations

import hmac
import os
from pathlib import Path
from typing import Any

import msgspec

from mmgate.clock import Clock, SystemClock
from mmgate.domain.onboarding import (
    DEFAULT_SETUP_DELAY_SECONDS,
    OnboardingStatus,
    TermsState,
    WabaEligibility,
    waba_status,
)
from mmgate.emulator.max_price_world import MaxPriceEnrolment
from mmgate.ids import key_hash


class MetaApp(msgspec.Struct, omit_defaults=True):
    """The app the gateway calls Meta with. Its Graph token is kept only as a SHA-256
    hash (`graph_token_hash`): given in plaintext (`graph_token`, as provisioning and
    world files from before hashing do), it is hashed at once and the plaintext dropped.
    The app secret stays readable: the emulator signs webhooks with it (HMAC), so the
    world file is written mode 0600 (SECURITY.md)."""

    graph_token: str  # plaintext in, never kept: "" once hashed
    app_secret: str
    webhook_url: str | None = None
    verify_token: str = ""
    id: str = ""
    # The solution provider's business portfolio: `entry[].id` of its account_update
    # webhooks and the node that lists its clients' WABAs.
    business_id: str = ""
    graph_token_hash: str = ""
    # `POST /{app_id}/subscriptions`: the fields the app receives; None = every field
    # (the embedded gateway's app, provisioned before subscriptions existed).
    webhook_fields: list[str] | None = None
    name: str = "mmgate sandbox app"

    def __post_init__(self) -> None:
        if self.graph_token:
            self.graph_token_hash = key_hash(self.graph_token)
            self.graph_token = ""


class TemplateRecord(msgspec.Struct):
    id: str
    name: str
    language: str
    category: str
    status: str = "APPROVED"
    components: list[dict[str, Any]] = []
    message_send_ttl_seconds: int | None = None
    created_at: float = 0.0
    # MARKETING templates sync with their ad for 10 minutes after approval or after
    # 7 dormant days; MM sends meanwhile get 134101 (reference §8.1).
    sync_until: float = 0.0
    # Max price: Meta's `optimization_spec` ({bid_strategy, bid_amount}) and when it was
    # edited, for the approved-template edit limits (domain/bids.py).
    optimization_spec: dict[str, Any] | None = None
    bid_edits: list[float] = []


class PhoneNumber(msgspec.Struct):
    id: str
    display_phone_number: str
    verified_name: str = "mmgate demo"
    # `webhook_configuration` of the number: the first place Meta looks (override.md).
    override_callback_uri: str | None = None
    override_verify_token: str = ""


class Waba(msgspec.Struct):
    id: str
    name: str
    business_id: str
    phone_numbers: list[PhoneNumber] = []
    templates: list[TemplateRecord] = []
    disable_marketing_messages_on_cloud_api: bool = False
    # Eligibility facts (reference §1.2).
    on_behalf_of: bool = False
    active: bool = True
    restricted: bool = False
    tax_country: str = "GB"
    uses_whatsapp_business_app: bool = False
    timezone_id: str = "1"
    message_template_namespace: str = ""
    # MM onboarding: when it last became eligible, when Meta's set-up completes, and
    # whether its MM_LITE_TERMS_SIGNED webhook has gone out (once per WABA).
    eligible_since: float = 0.0
    mm_setup_due_at: float | None = None
    mm_terms_notified: bool = False
    # `/{waba_id}/subscribed_apps`: whether the app gets this WABA's webhooks, and
    # where `messages` webhooks go instead of the app's callback URL.
    app_subscribed: bool = True
    override_callback_uri: str | None = None
    override_verify_token: str = ""


class Business(msgspec.Struct):
    id: str
    name: str
    mm_terms: str = "NOT_STARTED"  # NOT_STARTED | REQUEST_SENT | TERM_OF_SERVICE_SIGNED
    mm_terms_signed_at: float | None = None
    mm_terms_changed_at: float | None = None  # when the state above last changed
    country: str = "GB"
    max_price: MaxPriceEnrolment | None = None  # max price agreement (emulator/max_price.py)


class MetaUser(msgspec.Struct):
    """A person with a Meta login: admin ("full control") or employee of businesses."""

    id: str
    email: str
    name: str
    password_hash: str
    admin_of: list[str] = []
    employee_of: list[str] = []


class TermsRequest(msgspec.Struct):
    """An intent-API request, shown in the business's Settings > Requests."""

    id: str
    business_id: str
    requested_by: str  # the solution provider's business id
    created_at: float
    status: str = "PENDING"  # PENDING | ACCEPTED | REJECTED
    decided_at: float | None = None
    decided_by: str | None = None  # a MetaUser id


SCHEMA = 2  # 1: WABAs carry MM set-up times; 2: the Graph token is kept as a hash


class World(msgspec.Struct):
    schema: int = 0  # absent in files written before schema 1
    app: MetaApp | None = None
    sandbox_key_hash: str | None = None
    businesses: list[Business] = []
    wabas: list[Waba] = []
    users: list[MetaUser] = []
    terms_requests: list[TermsRequest] = []
    session_secret: str = ""  # signs the emulated Meta login's cookies
    mm_setup_delay_seconds: float = DEFAULT_SETUP_DELAY_SECONDS


class WorldStore:
    """The world plus its indexes; `save()` after every change."""

    def __init__(self, path: Path | None, clock: Clock | None = None) -> None:
        self.path = path
        self.clock: Clock = clock or SystemClock()
        self.world = World(schema=SCHEMA)
        if path is not None and path.exists():
            self.world = msgspec.json.decode(path.read_bytes(), type=World)
            self._upgrade()
        self._reindex()

    def _upgrade(self) -> None:
        """Worlds saved before onboarding had set-up times: a WABA of a signed business
        was onboarded at signing, and nobody waits for its webhook any more."""
        if self.world.schema < 1:
            signed = {
                b.id: b.mm_terms_signed_at or 0.0
                for b in self.world.businesses
                if b.mm_terms == TermsState.TERM_OF_SERVICE_SIGNED
            }
            for waba in self.world.wabas:
                if waba.business_id in signed:
                    waba.mm_setup_due_at = signed[waba.business_id]
                    waba.mm_terms_notified = True
        if self.world.schema < 2:
            # MetaApp hashed a plaintext token when the file was read; write it back now
            # so the plaintext leaves the disk too.
            self.world.schema = SCHEMA
            self.save()
        self.world.schema = SCHEMA

    def _reindex(self) -> None:
        self._wabas = {w.id: w for w in self.world.wabas}
        self._businesses = {b.id: b for b in self.world.businesses}
        self._numbers = {p.id: (p, w) for w in self.world.wabas for p in w.phone_numbers}
        self._users = {u.id: u for u in self.world.users}

    def save(self) -> None:
        self._reindex()
        if self.path is None:
            return
        tmp = self.path.with_suffix(".tmp")
        tmp.write_bytes(msgspec.json.encode(self.world))
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    def graph_token_matches(self, token: str) -> bool:
        """Whether `token` is the app's Graph API access token (constant-time)."""
        app = self.world.app
        if app is None or not token or not app.graph_token_hash:
            return False
        return hmac.compare_digest(key_hash(token).encode(), app.graph_token_hash.encode())

    def waba(self, waba_id: str) -> Waba | None:
        return self._wabas.get(waba_id)

    def business(self, business_id: str) -> Business | None:
        return self._businesses.get(business_id)

    def number(self, phone_number_id: str) -> tuple[PhoneNumber, Waba] | None:
        return self._numbers.get(phone_number_id)

    def template(self, waba: Waba, name: str, language: str) -> TemplateRecord | None:
        for template in waba.templates:
            if template.name == name and template.language == language:
                return template
        return None

    def is_onboarded(self, waba: Waba) -> bool:
        return self.mm_status(waba) is OnboardingStatus.ONBOARDED

    def mm_status(self, waba: Waba) -> OnboardingStatus:
        """The WABA's `marketing_messages_onboarding_status` now, on the one clock."""
        business = self.business(waba.business_id)
        terms = terms_state(business)
        return waba_status(self.eligibility(waba), terms, waba.mm_setup_due_at, self.clock.now())

    def eligibility(self, waba: Waba) -> WabaEligibility:
        business = self.business(waba.business_id)
        return WabaEligibility(
            on_behalf_of=waba.on_behalf_of,
            active=waba.active,
            restricted=waba.restricted,
            tax_country=waba.tax_country,
            owner_country=business.country if business is not None else "",
            uses_whatsapp_business_app=waba.uses_whatsapp_business_app,
        )

    def wabas_of(self, business_id: str) -> list[Waba]:
        return [w for w in self.world.wabas if w.business_id == business_id]

    def user(self, user_id: str) -> MetaUser | None:
        return self._users.get(user_id)

    def user_by_email(self, email: str) -> MetaUser | None:
        wanted = email.strip().lower()
        return next((u for u in self.world.users if u.email.lower() == wanted), None)

    def terms_request(self, request_id: str) -> TermsRequest | None:
        return next((r for r in self.world.terms_requests if r.id == request_id), None)

    def terms_requests_of(self, business_id: str) -> list[TermsRequest]:
        return [r for r in self.world.terms_requests if r.business_id == business_id]


def terms_state(business: Business | None) -> TermsState:
    if business is None:
        return TermsState.NOT_STARTED
    try:
        return TermsState(business.mm_terms)
    except ValueError:  # a world file written by a newer version: treat as not started
        return TermsState.NOT_STARTED
