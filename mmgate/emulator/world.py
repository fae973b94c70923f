"""Meta's side of the workspace: the app, business portfolios, WABAs, numbers, templates.

The world is small and changes rarely, so it lives in memory and is written
atomically to one JSON file on every change (the gateway never reads it).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import msgspec


class MetaApp(msgspec.Struct):
    graph_token: str
    app_secret: str
    webhook_url: str | None = None
    verify_token: str = ""


class TemplateRecord(msgspec.Struct):
    id: str
    name: str
    language: str
    category: str
    status: str = "APPROVED"
    components: list[dict[str, Any]] = []
    message_send_ttl_seconds: int | None = None
    created_at: float = 0.0


class PhoneNumber(msgspec.Struct):
    id: str
    display_phone_number: str
    verified_name: str = "mmgate demo"


class Waba(msgspec.Struct):
    id: str
    name: str
    business_id: str
    phone_numbers: list[PhoneNumber] = []
    templates: list[TemplateRecord] = []
    disable_marketing_messages_on_cloud_api: bool = False


class Business(msgspec.Struct):
    id: str
    name: str
    mm_terms: str = "NOT_STARTED"  # NOT_STARTED | REQUEST_SENT | TERM_OF_SERVICE_SIGNED
    mm_terms_signed_at: float | None = None


class World(msgspec.Struct):
    app: MetaApp | None = None
    sandbox_key_hash: str | None = None
    businesses: list[Business] = []
    wabas: list[Waba] = []


class WorldStore:
    """The world plus its indexes; `save()` after every change."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.world = World()
        if path is not None and path.exists():
            self.world = msgspec.json.decode(path.read_bytes(), type=World)
        self._reindex()

    def _reindex(self) -> None:
        self._wabas = {w.id: w for w in self.world.wabas}
        self._businesses = {b.id: b for b in self.world.businesses}
        self._numbers = {p.id: (p, w) for w in self.world.wabas for p in w.phone_numbers}

    def save(self) -> None:
        self._reindex()
        if self.path is None:
            return
        tmp = self.path.with_suffix(".tmp")
        tmp.write_bytes(msgspec.json.encode(self.world))
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

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
        business = self.business(waba.business_id)
        return business is not None and business.mm_terms == "TERM_OF_SERVICE_SIGNED"
