"""The Partner API (`/api/v2/partners/{partner_id}/...`), as 360dialog's hub API.

Auth, limits and the envelope are in `partner_auth`; webhook delivery
(`partner_webhooks`) and API keys (`partner_keys`, included in `routes` here) have
modules of their own.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mmgate.delivery import url_guard
from mmgate.delivery.url_guard import check_webhook_url
from mmgate.errors import GraphError, Refusal
from mmgate.gateway import partner_keys
from mmgate.gateway.context import gateway_of
from mmgate.gateway.partner_auth import PREFIX, authorised_partner, decode_body, envelope
from mmgate.sdk import wire_partner as wire
from mmgate.storage.port import Partner

MAX_URL = url_guard.MAX_URL  # also used by the Hub's forms


def onboarding_link(request: Request, partner: Partner) -> str | None:
    if partner.onboarding_token is None:
        return None
    return str(request.base_url).rstrip("/") + f"/onboard/{partner.onboarding_token}"


def _settings(partner: Partner) -> wire.PartnerSettings:
    return wire.PartnerSettings(wire.MarketingTemplatesRouting(partner.marketing_routing))


def partner_data(request: Request, partner: Partner) -> wire.Partner:
    return wire.Partner(
        id=partner.id,
        name=partner.name,
        webhook_url=partner.webhook_url,
        onboarding_link=onboarding_link(request, partner),
        settings=_settings(partner),
    )


async def partner_resource(request: Request) -> Response:
    partner = await authorised_partner(request)
    if request.method == "PATCH":
        patch = await decode_body(request, wire.PartnerPatch)
        url = patch.webhook_url
        gateway = gateway_of(request)
        if url is not None:
            try:
                await check_webhook_url(url, allow_private=gateway.private_webhooks_allowed)
            except GraphError as error:
                raise Refusal(400, f"webhook_url: {error.details}") from None
        await gateway.directory.update_partner(partner.id, webhook_url=url)
        updated = await gateway.store.partner(partner.id)
        assert updated is not None
        return envelope(partner_data(request, updated))
    return envelope(partner_data(request, partner))


async def settings(request: Request) -> Response:
    partner = await authorised_partner(request)
    return envelope(_settings(partner))


async def marketing_templates_routing(request: Request) -> Response:
    partner = await authorised_partner(request)
    if request.method == "GET":
        return envelope(wire.MarketingTemplatesRouting(partner.marketing_routing))
    setting = await decode_body(request, wire.RoutingPatch)
    gateway = gateway_of(request)
    await gateway.directory.update_partner(partner.id, marketing_routing=setting.enabled)
    return envelope(wire.MarketingTemplatesRouting(setting.enabled))


async def link(request: Request) -> Response:
    partner = await authorised_partner(request)
    return envelope(wire.OnboardingLink(onboarding_link(request, partner)))


async def clients(request: Request) -> Response:
    partner = await authorised_partner(request)
    found = await gateway_of(request).store.clients(partner.id)
    data = [
        wire.PartnerClient(
            c.business_id, c.name, [wire.ClientWaba(w.id, w.name, w.mm_status) for w in c.wabas]
        )
        for c in found
    ]
    return envelope(wire.Clients(len(data), data))


async def channels(request: Request) -> Response:
    partner = await authorised_partner(request)
    found = await gateway_of(request).store.channels(partner.id)
    data = [
        wire.Channel(
            ch.id,
            ch.phone_number_id,
            ch.display_phone_number,
            ch.waba_id,
            ch.business_id,
            ch.webhook_url,
        )
        for ch in found
    ]
    return envelope(wire.Channels(len(data), data))


routes = [
    Route(PREFIX, partner_resource, methods=["GET", "PATCH"]),
    Route(PREFIX + "/settings", settings, methods=["GET"]),
    Route(
        PREFIX + "/settings/marketing_templates_routing",
        marketing_templates_routing,
        methods=["GET", "PATCH"],
    ),
    Route(PREFIX + "/onboarding_link", link, methods=["GET"]),
    Route(PREFIX + "/clients", clients, methods=["GET"]),
    Route(PREFIX + "/channels", channels, methods=["GET"]),
    *partner_keys.routes,
]
