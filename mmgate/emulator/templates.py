"""Message templates on Meta's side: creation, review, status and category changes,
the ad sync window, and the webhooks each change sends (reference §5, §6.6, §8.1)."""

from __future__ import annotations

import re
from typing import Any

from mmgate.domain.templates import DORMANT_SECONDS, SYNC_SECONDS, Category
from mmgate.domain.ttl import CATEGORY_RANGES
from mmgate.emulator import template_formats
from mmgate.emulator.scheduler import Scheduler
from mmgate.emulator.template_bids import spec_at_creation
from mmgate.emulator.webhook_sender import WebhookSender
from mmgate.emulator.world import TemplateRecord, Waba, WorldStore
from mmgate.errors import GraphError
from mmgate.ids import new_numeric_id

STATUSES = frozenset(
    {
        "APPROVED",
        "PENDING",
        "REJECTED",
        "PAUSED",
        "DISABLED",
        "IN_APPEAL",
        "LIMIT_EXCEEDED",
        "DELETED",
        "ARCHIVED",
        "FLAGGED",
        "REINSTATED",
    }
)
_NAME = re.compile(r"^[a-z0-9_]{1,512}$")


class TemplateDesk:
    """Meta's template review desk for every WABA of the world."""

    def __init__(self, worlds: WorldStore, scheduler: Scheduler, sender: WebhookSender) -> None:
        self._worlds = worlds
        self._scheduler = scheduler
        self._sender = sender
        self.review_seconds = 0.0  # auto-approve after this delay; settable in the sandbox
        self.auto_approve = True
        self._last_sent: dict[str, float] = {}  # template id -> last send (kept in memory)

    def create(self, waba: Waba, body: dict[str, Any]) -> TemplateRecord:
        name, language = body.get("name"), body.get("language")
        category = str(body.get("category", "")).upper()
        if not isinstance(name, str) or not _NAME.match(name):
            raise GraphError(100, "name must be lowercase letters, digits and underscores.")
        if not isinstance(language, str) or not language:
            raise GraphError(100, "language is required.")
        if category not in CATEGORY_RANGES:
            raise GraphError(100, "category must be MARKETING, UTILITY or AUTHENTICATION.")
        components = body.get("components")
        if not isinstance(components, list) or not any(
            isinstance(c, dict) and str(c.get("type", "")).upper() == "BODY" for c in components
        ):
            raise GraphError(100, "components must include a BODY component.")
        template_formats.check_created(components)
        if self._worlds.template(waba, name, language) is not None:
            raise GraphError(100, f"Content in this language already exists: {name} ({language}).")
        spec = spec_at_creation(self._worlds, waba, body, category)  # max price, if any
        now = self._scheduler.clock.now()
        template = TemplateRecord(
            id=new_numeric_id(),
            name=name,
            language=language,
            category=category,
            status="PENDING",
            components=components,
            message_send_ttl_seconds=_ttl(body.get("message_send_ttl_seconds"), category),
            created_at=now,
            optimization_spec=spec,
        )
        waba.templates.append(template)
        self._worlds.save()
        if self.auto_approve:
            self._scheduler.at(
                now + self.review_seconds,
                lambda at: self.change(waba, template, status="APPROVED", at=at),
            )
        return template

    def change(
        self,
        waba: Waba,
        template: TemplateRecord,
        *,
        at: float,
        status: str | None = None,
        category: str | None = None,
        reason: str = "NONE",
    ) -> None:
        """Apply a review outcome or a re-categorisation, and tell the app by webhook."""
        if status is not None:
            if status not in STATUSES:
                raise GraphError(100, f"Unknown template status {status}.")
            template.status = status
            if status == "APPROVED" and template.category == Category.MARKETING:
                template.sync_until = at + SYNC_SECONDS
            self._emit(
                waba,
                "message_template_status_update",
                at,
                {
                    "event": status,
                    "message_template_id": int(template.id),
                    "message_template_name": template.name,
                    "message_template_language": template.language,
                    "reason": reason,
                    "message_template_category": template.category,
                },
            )
        if category is not None and category.upper() != template.category:
            new_category = category.upper()
            if new_category not in CATEGORY_RANGES:
                raise GraphError(100, f"Unknown template category {category}.")
            previous, template.category = template.category, new_category
            self._emit(
                waba,
                "template_category_update",
                at,
                {
                    "message_template_id": int(template.id),
                    "message_template_name": template.name,
                    "message_template_language": template.language,
                    "previous_category": previous,
                    "new_category": new_category,
                },
            )
        self._worlds.save()

    def check_synced(self, template: TemplateRecord, now: float, graph_version: int) -> None:
        """For an MM send: refuse while the template syncs; a dormant one starts syncing."""
        last = self._last_sent.get(template.id, max(template.created_at, template.sync_until))
        if template.sync_until <= now and now - last > DORMANT_SECONDS:
            template.sync_until = now + SYNC_SECONDS
        if now < template.sync_until:
            raise GraphError(134101 if graph_version >= 23 else 131009)
        self._last_sent[template.id] = now

    def _emit(self, waba: Waba, field: str, at: float, value: dict[str, Any]) -> None:
        self._sender.emit(waba.id, field, value, at, entry_time=int(at))


def _ttl(value: Any, category: str) -> int | None:
    if value is None:
        return None
    try:
        ttl = int(value)
    except (TypeError, ValueError):
        raise GraphError(100, "message_send_ttl_seconds must be an integer.") from None
    low, high = CATEGORY_RANGES[Category(category)]
    if ttl == -1 and category != Category.MARKETING:
        return ttl
    if not low <= ttl <= high:
        raise GraphError(
            100, f"message_send_ttl_seconds for {category} templates must be {low}..{high}."
        )
    return ttl
