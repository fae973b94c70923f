"""A message's price on the Hub's message page, in words: what mmgate knows of it
(services/bids.py): the list price of its category in its market, the max price it
was sent with, and the most it can have cost. What a max-price delivery really cost
only Meta's analytics say (the Spend page reads them)."""

from __future__ import annotations

from mmgate.domain.pricing import major_units
from mmgate.sdk.wire import MessagePrice
from mmgate.ui.spend_charts import money


def price_facts(price: MessagePrice) -> list[tuple[str, str, str]]:
    """(key, label, text) rows for the page's facts."""
    currency = price.currency
    category = str(price.pricing_category).replace("_", " ")
    listed = price.list_price
    rows = [
        (
            "list_price",
            "List price",
            f"{money(major_units(listed), currency)} · {category} in {price.country}"
            if listed
            else f"free · {category}",
        )
    ]
    if price.max_price is not None:
        factor = price.bid_multiplier  # None: the send had no multiplier
        bid = f"bid {price.bid_amount} per 1,000 deliveries"
        if factor is not None:
            bid += f", multiplier {factor:g}"
        cap = money(major_units(price.max_price), currency)
        rows.append(("max_price", "Max price", f"{cap} ({bid})"))
    charged = price.charge_at_most
    if charged:
        text = money(charged, currency)
    elif listed or price.max_price is not None:
        text = "nothing until delivered (Meta charges deliveries)"
    else:
        text = "nothing"
    rows.append(("charge_at_most", "Charged at most", text))
    return rows
