"""A declarative workspace (TOML), and the demo one made on first start."""

from __future__ import annotations

import tomllib
from pathlib import Path

import msgspec

from mmgate.domain.onboarding import DEFAULT_SETUP_DELAY_SECONDS
from mmgate.ids import new_numeric_id, new_secret


class TemplateSpec(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    language: str
    category: str
    body: str
    status: str = "APPROVED"
    url_button: str | None = None
    message_send_ttl_seconds: int | None = None


class ChannelSpec(msgspec.Struct, forbid_unknown_fields=True):
    phone_number_id: str
    display_phone_number: str
    api_key: str
    webhook_url: str | None = None


class WabaSpec(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    name: str
    channels: list[ChannelSpec] = []
    templates: list[TemplateSpec] = []
    # MM eligibility facts (reference §1.2); the defaults make an eligible WABA.
    on_behalf_of: bool = False
    active: bool = True
    restricted: bool = False
    tax_country: str = "GB"
    uses_whatsapp_business_app: bool = False


class ClientSpec(msgspec.Struct, forbid_unknown_fields=True):
    business_id: str
    name: str
    mm_terms_signed: bool = True
    wabas: list[WabaSpec] = []
    country: str = "GB"


class PartnerSpec(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    name: str
    api_key: str
    webhook_secret: str
    webhook_url: str | None = None
    onboarding_token: str | None = None  # the partner's unique MM onboarding link


class MetaSpec(msgspec.Struct, forbid_unknown_fields=True):
    graph_token: str
    app_secret: str
    verify_token: str
    app_id: str | None = None
    # The partner's own business portfolio at Meta (entry id of its account_update webhooks).
    solution_provider_business_id: str | None = None
    mm_setup_delay_seconds: float = DEFAULT_SETUP_DELAY_SECONDS


class MetaUserSpec(msgspec.Struct, forbid_unknown_fields=True):
    """A person with a Meta login, admin ("full control") or employee of businesses."""

    email: str
    password: str
    name: str = ""
    admin_of: list[str] = []
    employee_of: list[str] = []


class SandboxSpec(msgspec.Struct, forbid_unknown_fields=True):
    key: str


class HubUserSpec(msgspec.Struct, forbid_unknown_fields=True):
    """A person who signs in to the Partner Hub (/hub/) for the partner."""

    email: str
    password: str


class WorkspaceSpec(msgspec.Struct, forbid_unknown_fields=True):
    partner: PartnerSpec
    meta: MetaSpec
    sandbox: SandboxSpec
    clients: list[ClientSpec] = []
    meta_users: list[MetaUserSpec] = []
    hub_users: list[HubUserSpec] = []


def load(path: Path) -> WorkspaceSpec:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return msgspec.convert(data, type=WorkspaceSpec)


def demo() -> WorkspaceSpec:
    """A fresh demo workspace with random ids and keys: one client already onboarded
    to MM API, and one that has not signed, with eligible and ineligible WABAs."""
    onboarded, unsigned = new_numeric_id(), new_numeric_id()
    provider = new_numeric_id()
    return WorkspaceSpec(
        partner=PartnerSpec(
            id="pt_" + new_secret(6),
            name="Demo Partner",
            api_key=new_secret(),
            webhook_secret=new_secret(),
            onboarding_token=new_secret(12),
        ),
        meta=MetaSpec(
            graph_token="EAAG" + new_secret(30),
            app_secret=new_secret(16),
            verify_token=new_secret(12),
            app_id=new_numeric_id(),
            solution_provider_business_id=provider,
        ),
        sandbox=SandboxSpec(key=new_secret()),
        clients=[
            ClientSpec(
                business_id=onboarded,
                name="Demo Shop Ltd",
                mm_terms_signed=True,
                wabas=[_demo_waba("Demo Shop", "15550001234")],
            ),
            ClientSpec(
                business_id=unsigned,
                name="Fresh Market GmbH",
                mm_terms_signed=False,
                country="DE",
                wabas=[
                    _demo_waba("Fresh Market", "15550005678"),
                    WabaSpec(id=new_numeric_id(), name="Fresh Market Outlet", restricted=True),
                    WabaSpec(id=new_numeric_id(), name="Fresh Market Caracas", tax_country="VE"),
                ],
            ),
        ],
        hub_users=[HubUserSpec("admin@demo-partner.example", new_secret(12))],
        meta_users=[
            MetaUserSpec(
                email="alex@fresh-market.example",
                password=new_secret(9),
                name="Alex Admin",
                admin_of=[unsigned, onboarded],
            ),
            MetaUserSpec(
                email="sam@fresh-market.example",
                password=new_secret(9),
                name="Sam Employee",
                employee_of=[unsigned],
            ),
            MetaUserSpec(
                email="pat@demo-partner.example",
                password=new_secret(9),
                name="Pat Partner",
                admin_of=[provider],
            ),
        ],
    )


def _demo_waba(name: str, display_phone_number: str) -> WabaSpec:
    return WabaSpec(
        id=new_numeric_id(),
        name=name,
        channels=[
            ChannelSpec(
                phone_number_id=new_numeric_id(),
                display_phone_number=display_phone_number,
                api_key=new_secret(),
            )
        ],
        templates=DEMO_TEMPLATES,
    )


DEMO_TEMPLATES = [
    TemplateSpec(
        name="marketing_text_no_param",
        language="en",
        category="MARKETING",
        body="Our summer sale is on: 20% off everything this week.",
    ),
    TemplateSpec(
        name="marketing_offer_with_link",
        language="en",
        category="MARKETING",
        body="Hi {{1}}, your personal offer is waiting.",
        url_button="https://shop.example.com/offer/{{1}}",
    ),
    TemplateSpec(
        name="order_update",
        language="en",
        category="UTILITY",
        body="Your order {{1}} has shipped.",
    ),
]
