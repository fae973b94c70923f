"""Max price at the gateway: refuse locally what Meta would refuse, and price the send.

The client's `bid_spec` travels upstream untouched to `/marketing_messages` (and is
dropped on the way to Cloud API's `/messages`, with the other MM-only fields). A send
of a template with a max price is refused with Meta's 131061 when it would reach
Cloud API: sent to `/messages`, or routed there because the WABA is not onboarded.
Its price is fixed now (the template's bid may change later); every other message is
priced from the rate card when read (docs/max-price.md).
"""

from __future__ import annotations

from mmgate.domain import bids
from mmgate.domain.payloads import EntryPoint, ValidSend
from mmgate.domain.pricing import CURRENCY, country_of, list_price, major_units
from mmgate.domain.routing import Route, RouteDecision, UpstreamEndpoint
from mmgate.domain.templates import TemplateInfo
from mmgate.errors import GraphError
from mmgate.sdk import wire
from mmgate.storage.port import MessagePrice, MessageRecord, Store


async def price_send(
    store: Store,
    entry_point: EntryPoint,
    valid: ValidSend,
    template: TemplateInfo | None,
    decision: RouteDecision,
    *,
    wamid: str,
    channel_id: str,
    now: float,
) -> None:
    factor = bids.multiplier(valid.request.bid_spec)
    bid = template.bid_amount if template is not None else None
    bids.check_send(
        entry_point=entry_point.value,
        has_bid_template=bid is not None,
        factor=factor,
        to_bsuid=False,  # validate_send already refused a BSUID with a bid_spec (131062)
    )
    if bid is None:
        return
    if decision.endpoint is UpstreamEndpoint.MESSAGES or decision.requested is not Route.MM_API:
        raise GraphError(131061)  # it would reach Cloud API (e.g. the WABA is not onboarded)
    country = country_of(valid.wa_id)
    await store.record_price(
        MessagePrice(
            wamid=wamid,
            channel_id=channel_id,
            country=country,
            currency=CURRENCY,
            list_price=list_price("marketing_lite", country),
            bid_amount=bid,
            bid_multiplier=factor,
            max_price=bids.effective_bid(bid, factor),
            created_at=now,
        )
    )


def _pricing_category(record: MessageRecord) -> str:
    if record.type != "template" or not record.category:
        return "service"  # non-template messages are free
    route = record.route_taken or record.route_requested
    if record.category == "MARKETING" and route == "mm_api":
        return "marketing_lite"
    return record.category.lower()


async def message_price(store: Store, record: MessageRecord) -> wire.MessagePrice:
    """A message's price as mmgate knows it (docs/max-price.md): the list price of its
    category in its market, and for a send with a max price the cap it was sent with.
    `charge_at_most` (currency units) is 0 until delivered: Meta charges deliveries,
    and only Meta's analytics say what a max-price delivery actually cost."""
    stored = await store.message_price(record.wamid)
    country = stored.country if stored is not None else country_of(record.recipient)
    category = _pricing_category(record)
    listed = list_price(category, country)
    cap = stored.max_price if stored is not None else None
    reached = {record.status, *(status for status, _, _ in record.events)}
    delivered = bool(reached & {"delivered", "read"})
    return wire.MessagePrice(
        currency=CURRENCY,
        country=country,
        pricing_category=category,
        list_price=listed,
        bid_amount=stored.bid_amount if stored is not None else None,
        bid_multiplier=stored.bid_multiplier if stored is not None else None,
        max_price=cap,
        charge_at_most=major_units(cap if cap is not None else listed) if delivered else 0.0,
    )
