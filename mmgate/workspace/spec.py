"""A declarative workspace (TOML), and the demo one made on first start."""

from __future__ import annotations

import tomllib
from pathlib import Path

import msgspec

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


class ClientSpec(msgspec.Struct, forbid_unknown_fields=True):
    business_id: str
    name: str
    mm_terms_signed: bool = True
    wabas: list[WabaSpec] = []


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


class SandboxSpec(msgspec.Struct, forbid_unknown_fields=True):
    key: str


class WorkspaceSpec(msgspec.Struct, forbid_unknown_fields=True):
    partner: PartnerSpec
    meta: MetaSpec
    sandbox: SandboxSpec
    clients: list[ClientSpec] = []


def load(path: Path) -> WorkspaceSpec:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return msgspec.convert(data, type=WorkspaceSpec)


def demo() -> WorkspaceSpec:
    """A fresh demo workspace with random ids and keys."""
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
        ),
        sandbox=SandboxSpec(key=new_secret()),
        clients=[
            ClientSpec(
                business_id=new_numeric_id(),
                name="Demo Shop Ltd",
                mm_terms_signed=True,
                wabas=[
                    WabaSpec(
                        id=new_numeric_id(),
                        name="Demo Shop",
                        channels=[
                            ChannelSpec(
                                phone_number_id=new_numeric_id(),
                                display_phone_number="15550001234",
                                api_key=new_secret(),
                            )
                        ],
                        templates=DEMO_TEMPLATES,
                    )
                ],
            )
        ],
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
