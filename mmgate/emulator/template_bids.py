"""Max price on templates, on Meta's side: `optimization_spec` at creation, edits of it
(`POST /{template_id}`), the template node (`GET /{template_id}?fields=…`), and the
checks a send with a max price goes through (domain/bids.py has the rules)."""

from __future__ import annotations

from typing import Any

from mmgate.domain import bids
from mmgate.domain.payloads import EntryPoint, SendRequest
from mmgate.domain.templates import Category
from mmgate.emulator.max_price_rules import require_enrolled
from mmgate.emulator.world import TemplateRecord, Waba, WorldStore
from mmgate.errors import GraphError

EDITABLE_WITHOUT_LIMIT = frozenset({"REJECTED", "PAUSED"})


def spec_at_creation(
    worlds: WorldStore, waba: Waba, body: dict[str, Any], category: str
) -> dict[str, Any] | None:
    """A new template's `optimization_spec` (Meta's older name `bid_spec` accepted)."""
    spec = bids.spec_from_body(body)
    if spec is None:
        return None
    if category != Category.MARKETING:
        raise GraphError(100, "optimization_spec is only supported on MARKETING templates.")
    if not worlds.is_onboarded(waba):
        raise GraphError(
            100, "Max price needs a WABA onboarded to the Marketing Messages API for WhatsApp."
        )
    require_enrolled(worlds, waba)
    return spec.graph_json()


def edit(
    worlds: WorldStore, waba: Waba, template: TemplateRecord, body: dict[str, Any], now: float
) -> None:
    """`POST /{template_id}` with a new `optimization_spec`, within Meta's edit limits."""
    spec = bids.spec_from_body(body)
    if spec is None:
        raise GraphError(100, "Nothing to update: optimization_spec is expected.")
    if template.optimization_spec is None:
        raise GraphError(
            100,
            "A max price can only be updated on a template created with one; create a new "
            "template with optimization_spec.",
        )
    require_enrolled(worlds, waba)
    if template.status not in EDITABLE_WITHOUT_LIMIT:
        if not bids.edits_allowed(template.bid_edits, now):
            raise GraphError(
                100,
                f"Approved templates can be edited {bids.EDITS_PER_HOUR} times an hour and "
                f"{bids.EDITS_PER_DAY} times a day.",
            )
        template.bid_edits = [t for t in template.bid_edits if now - t < 86400] + [now]
    template.optimization_spec = spec.graph_json()
    worlds.save()


def find_template(worlds: WorldStore, template_id: str) -> tuple[Waba, TemplateRecord] | None:
    for waba in worlds.world.wabas:
        for template in waba.templates:
            if template.id == template_id:
                return waba, template
    return None


def ad_ids(waba: Waba, template: TemplateRecord) -> dict[str, str]:
    """The read-only ad objects Meta links to an MM template (insights address them)."""
    return {
        "ad_id": "8" + template.id,
        "ad_adset_id": "7" + template.id,
        "ad_campaign_id": "6" + waba.id,
        "ad_account_id": "act_" + waba.id,
    }


def template_node(
    worlds: WorldStore, waba: Waba, template: TemplateRecord, fields: list[str]
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": template.id,
        "name": template.name,
        "language": template.language,
        "status": template.status,
        "category": template.category,
        "components": template.components,
    }
    if template.message_send_ttl_seconds is not None:
        values["message_send_ttl_seconds"] = template.message_send_ttl_seconds
    if template.optimization_spec is not None:
        values["optimization_spec"] = template.optimization_spec
        values["bid_spec"] = template.optimization_spec  # grace-period name, same object
    if template.category == Category.MARKETING and worlds.is_onboarded(waba):
        values.update(ad_ids(waba, template))
    body = {name: values[name] for name in fields if name in values}
    body["id"] = template.id
    return body


def bid_for_send(
    worlds: WorldStore, waba: Waba, request: SendRequest, endpoint: EntryPoint
) -> int | None:
    """The send's effective max price per 1,000 (None: no max price), or Meta's refusal."""
    factor = bids.multiplier(request.bid_spec)
    template = None
    if request.template is not None:
        template = worlds.template(waba, request.template.name, request.template.language.code)
    spec = template.optimization_spec if template is not None else None
    bids.check_send(
        entry_point=endpoint.value,
        has_bid_template=spec is not None,
        factor=factor,
        to_bsuid=request.to is None and request.recipient is not None,
    )
    if spec is None:
        return None
    require_enrolled(worlds, waba)
    return bids.effective_bid(int(spec["bid_amount"]), factor)
