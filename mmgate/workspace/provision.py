"""Applies a workspace to both sides: the gateway's store (as a BSP's admin would)
and the emulator's world (as Meta's dashboards would). Idempotent.

This is set-up code outside the request path; at run time the gateway still
reaches the emulator only through the Graph API and webhooks.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from mmgate.emulator.world import (
    Business,
    MetaApp,
    PhoneNumber,
    TemplateRecord,
    Waba,
    WorldStore,
)
from mmgate.ids import key_hash, new_numeric_id, new_secret
from mmgate.storage.port import Channel, Partner, Store, UpstreamCredentials
from mmgate.workspace.spec import TemplateSpec, WorkspaceSpec

CREDENTIALS_FILE = "workspace.json"


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
    world.app = MetaApp(
        spec.meta.graph_token, spec.meta.app_secret, webhook_url, spec.meta.verify_token
    )
    world.sandbox_key_hash = key_hash(spec.sandbox.key)
    businesses = {b.id: b for b in world.businesses}
    wabas = {w.id: w for w in world.wabas}
    for client in spec.clients:
        business = businesses.setdefault(
            client.business_id, Business(client.business_id, client.name)
        )
        if client.mm_terms_signed and business.mm_terms != "TERM_OF_SERVICE_SIGNED":
            business.mm_terms, business.mm_terms_signed_at = "TERM_OF_SERVICE_SIGNED", now
        for w in client.wabas:
            waba = wabas.setdefault(w.id, Waba(w.id, w.name, client.business_id))
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
    worlds.save()


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
    return {
        "base_url": base_url,
        "partner_id": spec.partner.id,
        "partner_api_key": spec.partner.api_key,
        "partner_webhook_secret": spec.partner.webhook_secret,
        "business_id": client.business_id if client else None,
        "waba_id": waba.id if waba else None,
        "phone_number_id": channel.phone_number_id if channel else None,
        "channel_api_key": channel.api_key if channel else None,
        "graph_base_url": base_url + "/graph/v23.0",
        "graph_token": spec.meta.graph_token,
        "app_secret": spec.meta.app_secret,
        "verify_token": spec.meta.verify_token,
        "sandbox_key": spec.sandbox.key,
    }


def write_credentials(data_dir: Path, data: dict[str, Any]) -> Path:
    """Kept beside the database, readable only by its owner."""
    path = data_dir / CREDENTIALS_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
    os.chmod(path, 0o600)
    return path


def read_credentials(data_dir: Path) -> dict[str, Any] | None:
    path = data_dir / CREDENTIALS_FILE
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    return data
