"""Applies a workspace to both sides: the gateway's store (as a BSP's admin would)
and the emulator's world (as Meta's dashboards would). Idempotent.

This is set-up code outside the request path; at run time the gateway still
reaches the emulator only through the Graph API and webhooks.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from mmgate.domain.onboarding import TermsState, WabaEligibility, ineligibility
from mmgate.emulator.meta_users import hash_password, password_matches
from mmgate.emulator.world import (
    Business,
    MetaApp,
    MetaUser,
    PhoneNumber,
    TemplateRecord,
    Waba,
    WorldStore,
)
from mmgate.ids import key_hash, new_numeric_id, new_secret
from mmgate.sdk._workspace import WORKSPACE_FILE, read_workspace
from mmgate.settings import Settings
from mmgate.storage.port import Channel, Partner, Store, UpstreamCredentials
from mmgate.ui import accounts
from mmgate.workspace.spec import (
    ClientSpec,
    MetaUserSpec,
    TemplateSpec,
    WabaSpec,
    WorkspaceSpec,
    demo,
)


async def provision_gateway(store: Store, spec: WorkspaceSpec, now: float) -> None:
    p = spec.partner
    await store.save_partner(
        Partner(
            p.id,
            p.name,
            p.webhook_url,
            p.webhook_secret,
            marketing_routing=True,
            onboarding_token=p.onboarding_token or new_secret(12),
        ),
        key_hash(p.api_key),
        now,
    )
    await accounts.provision_users(
        store, p.id, [(u.email, u.password) for u in spec.hub_users], now
    )
    await store.save_upstream(
        UpstreamCredentials(spec.meta.graph_token, spec.meta.app_secret, spec.meta.verify_token)
    )
    for client in spec.clients:
        await store.save_client(p.id, client.business_id, client.name)
        for waba in client.wabas:
            await store.save_waba(client.business_id, waba.id, waba.name)
            for ch in waba.channels:
                channel = Channel(
                    id=ch.phone_number_id,
                    partner_id=p.id,
                    business_id=client.business_id,
                    waba_id=waba.id,
                    phone_number_id=ch.phone_number_id,
                    display_phone_number=ch.display_phone_number,
                    webhook_url=ch.webhook_url,
                )
                await store.save_channel(channel, now)
                if ch.webhook_url is not None:
                    await store.set_channel_webhook(channel.id, ch.webhook_url, {})
                await store.add_api_key(channel.id, key_hash(ch.api_key), now)


def provision_emulator(
    worlds: WorldStore, spec: WorkspaceSpec, webhook_url: str, now: float
) -> None:
    world = worlds.world
    before = world.app
    world.app = MetaApp(
        spec.meta.graph_token,
        spec.meta.app_secret,
        webhook_url,
        spec.meta.verify_token,
        id=spec.meta.app_id or (before.id if before and before.id else new_numeric_id()),
        business_id=spec.meta.solution_provider_business_id
        or (before.business_id if before and before.business_id else new_numeric_id()),
    )
    world.sandbox_key_hash = key_hash(spec.sandbox.key)
    world.mm_setup_delay_seconds = spec.meta.mm_setup_delay_seconds
    businesses = {b.id: b for b in world.businesses}
    wabas = {w.id: w for w in world.wabas}
    provider = world.app.business_id
    businesses.setdefault(provider, Business(provider, spec.partner.name))
    for client in spec.clients:
        business = businesses.setdefault(
            client.business_id, Business(client.business_id, client.name, country=client.country)
        )
        if client.mm_terms_signed and business.mm_terms != TermsState.TERM_OF_SERVICE_SIGNED:
            business.mm_terms = TermsState.TERM_OF_SERVICE_SIGNED.value
            business.mm_terms_signed_at = business.mm_terms_changed_at = now
        for w in client.wabas:
            if w.id not in wabas:
                delay = world.mm_setup_delay_seconds
                wabas[w.id] = _new_waba(w, client, business, now, delay)
            waba = wabas[w.id]
            numbers = {n.id for n in waba.phone_numbers}
            waba.phone_numbers += [
                PhoneNumber(c.phone_number_id, c.display_phone_number)
                for c in w.channels
                if c.phone_number_id not in numbers
            ]
            existing = {(t.name, t.language) for t in waba.templates}
            waba.templates += [
                _template(t, now) for t in w.templates if (t.name, t.language) not in existing
            ]
    world.businesses = list(businesses.values())
    world.wabas = list(wabas.values())
    world.users = _users(world.users, spec.meta_users)
    worlds.save()


def _new_waba(
    spec: WabaSpec, client: ClientSpec, business: Business, now: float, delay: float
) -> Waba:
    waba = Waba(
        spec.id,
        spec.name,
        client.business_id,
        on_behalf_of=spec.on_behalf_of,
        active=spec.active,
        restricted=spec.restricted,
        tax_country=spec.tax_country.upper(),
        uses_whatsapp_business_app=spec.uses_whatsapp_business_app,
        message_template_namespace=str(uuid.uuid4()).replace("-", "_"),
        eligible_since=now,
    )
    facts = WabaEligibility(
        on_behalf_of=waba.on_behalf_of,
        active=waba.active,
        restricted=waba.restricted,
        tax_country=waba.tax_country,
        owner_country=business.country,
        uses_whatsapp_business_app=waba.uses_whatsapp_business_app,
    )
    if business.mm_terms == TermsState.TERM_OF_SERVICE_SIGNED and ineligibility(facts) is None:
        if client.mm_terms_signed:
            # The workspace starts with this WABA long onboarded: no set-up, no webhook.
            waba.mm_setup_due_at, waba.mm_terms_notified = now, True
        else:
            # Added to a business that signed since: onboarded after Meta's set-up,
            # announced by the emulator once it starts (Onboarding.resume).
            waba.mm_setup_due_at = now + delay
    return waba


def _users(existing: list[MetaUser], specs: list[MetaUserSpec]) -> list[MetaUser]:
    by_email = {u.email.lower(): u for u in existing}
    for spec in specs:
        user = by_email.get(spec.email.lower())
        if user is None:
            user = MetaUser(new_numeric_id(), spec.email, "", hash_password(spec.password))
            by_email[spec.email.lower()] = user
        elif not password_matches(spec.password, user.password_hash):
            user.password_hash = hash_password(spec.password)
        user.name = spec.name or spec.email
        user.admin_of, user.employee_of = list(spec.admin_of), list(spec.employee_of)
    return list(by_email.values())


def _template(spec: TemplateSpec, now: float) -> TemplateRecord:
    components: list[dict[str, Any]] = [{"type": "BODY", "text": spec.body}]
    if spec.url_button is not None:
        components.append(
            {
                "type": "BUTTONS",
                "buttons": [{"type": "URL", "text": "Open", "url": spec.url_button}],
            }
        )
    return TemplateRecord(
        id=new_numeric_id(),
        name=spec.name,
        language=spec.language,
        category=spec.category,
        status=spec.status,
        components=components,
        message_send_ttl_seconds=spec.message_send_ttl_seconds,
        created_at=now - 86400,  # a workspace template is long approved and synced
    )


def summary(spec: WorkspaceSpec, base_url: str) -> dict[str, Any]:
    """The credentials a script needs, as printed at first start and by `workspace --json`."""
    client = spec.clients[0] if spec.clients else None
    waba = client.wabas[0] if client and client.wabas else None
    channel = waba.channels[0] if waba and waba.channels else None
    token = spec.partner.onboarding_token
    return {
        "base_url": base_url,
        "partner_id": spec.partner.id,
        "partner_api_key": spec.partner.api_key,
        "partner_webhook_secret": spec.partner.webhook_secret,
        "onboarding_link": f"{base_url}/onboard/{token}" if token else None,
        "business_id": client.business_id if client else None,
        "waba_id": waba.id if waba else None,
        "phone_number_id": channel.phone_number_id if channel else None,
        "channel_api_key": channel.api_key if channel else None,
        "graph_base_url": base_url + "/graph/v23.0",
        "graph_token": spec.meta.graph_token,
        "app_secret": spec.meta.app_secret,
        "verify_token": spec.meta.verify_token,
        "sandbox_key": spec.sandbox.key,
        "solution_provider_business_id": spec.meta.solution_provider_business_id,
        "whatsapp_manager_url": base_url + "/manager/",
        "hub_url": base_url + "/hub/",
        "hub_users": [msgspec.to_builtins(u) for u in spec.hub_users],
        "clients": [_client_summary(c) for c in spec.clients],
        "templates": [_template_summary(t) for t in (waba.templates if waba else [])],
        "meta_users": [msgspec.to_builtins(u) for u in spec.meta_users],
    }


def _template_summary(template: TemplateSpec) -> dict[str, Any]:
    """What a send needs to know of a template: its name, language, category and how
    many body parameters and URL suffixes it takes."""
    return {
        "name": template.name,
        "language": template.language,
        "category": template.category,
        "body_parameters": len(set(re.findall(r"\{\{(\w+)\}\}", template.body))),
        "url_suffix": template.url_button is not None and "{{" in template.url_button,
    }


def _client_summary(client: ClientSpec) -> dict[str, Any]:
    return {
        "business_id": client.business_id,
        "name": client.name,
        "mm_terms_signed": client.mm_terms_signed,
        "wabas": [
            {
                "id": w.id,
                "name": w.name,
                "channels": [
                    {"phone_number_id": c.phone_number_id, "api_key": c.api_key} for c in w.channels
                ],
            }
            for w in client.wabas
        ],
    }


def write_credentials(data_dir: Path, data: dict[str, Any]) -> Path:
    """Kept beside the database, readable only by its owner."""
    path = data_dir / WORKSPACE_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
    os.chmod(path, 0o600)
    return path


def read_credentials(data_dir: Path) -> dict[str, Any] | None:
    """What `write_credentials` wrote, read by the SDK's reader (the SDK reads it too)."""
    return read_workspace(data_dir)


def at_base_url(data: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The credentials with every URL on `base_url`: a server restarted on another port
    (or host) is found there by the banner, the CLI, the SDK and the onboarding link."""
    old = str(data.get("base_url", ""))
    if not old or old == base_url:
        return data
    return {
        key: value.replace(old, base_url, 1)
        if isinstance(value, str) and value.startswith(old)
        else value
        for key, value in data.items()
    }


async def provision_at_start(
    store: Store,
    worlds: WorldStore | None,
    settings: Settings,
    seed: WorkspaceSpec | None,
    now: float,
    on_ready: Callable[[dict[str, Any]], None] | None,
) -> None:
    """What a starting process provisions: the seed if given, else the demo workspace on a
    sandbox's first start (both sides: the gateway's store, the embedded emulator's world),
    then the workspace file; with nothing to provision, the known workspace is reported."""
    workspace = seed
    if workspace is None and settings.mode == "sandbox" and await store.is_empty():
        workspace = demo()
    if workspace is None:
        known = read_credentials(settings.data_dir)
        if known is not None and on_ready is not None:
            on_ready(known)
        return
    await provision_gateway(store, workspace, now)
    if worlds is not None:
        provision_emulator(worlds, workspace, settings.emulator_webhook_url, now)
    data = summary(workspace, settings.base_url)
    write_credentials(settings.data_dir, data)
    if on_ready is not None:
        on_ready(data)
