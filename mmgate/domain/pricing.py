"""Published per-message rates and the recipient's market (country).

Rates are in Meta's max-price unit: smallest currency unit (US cents) per 1,000
deliveries, so 5290 is $0.0529 a delivered message. They are illustrative USD
marketing rates in the shape of Meta's rate card (docs/max-price.md), the same for
`marketing` and `marketing_lite` (Meta's rate card text does not say they differ).
Utility and authentication templates cost a fixed share of the marketing rate;
non-template messages are free (per-message pricing since 2025-07-01).
"""

from __future__ import annotations

CURRENCY = "USD"

# Calling code -> ISO country. Longest prefix wins; unknown codes are market "XX".
_CALLING_CODES = {
    "1": "US",
    "20": "EG",
    "27": "ZA",
    "33": "FR",
    "34": "ES",
    "39": "IT",
    "44": "GB",
    "49": "DE",
    "52": "MX",
    "55": "BR",
    "57": "CO",
    "62": "ID",
    "91": "IN",
    "234": "NG",
    "971": "AE",
}

MARKETING_RATES = {
    "AE": 3840,
    "BR": 6250,
    "CO": 1250,
    "DE": 13650,
    "EG": 6440,
    "ES": 6150,
    "FR": 8590,
    "GB": 5290,
    "ID": 4110,
    "IN": 1070,
    "IT": 6910,
    "MX": 3050,
    "NG": 5160,
    "US": 2500,
    "ZA": 3790,
    "XX": 5000,
}
_CATEGORY_SHARE = {"marketing": 1.0, "marketing_lite": 1.0, "utility": 0.15, "authentication": 0.2}


def country_of(wa_id: str) -> str:
    digits = wa_id.lstrip("+")
    for length in (3, 2, 1):
        country = _CALLING_CODES.get(digits[:length])
        if country is not None:
            return country
    return "XX"


def marketing_rate(country: str, rates: dict[str, int] | None = None) -> int:
    table = rates or MARKETING_RATES
    return table.get(country, table.get("XX", MARKETING_RATES["XX"]))


def list_price(pricing_category: str, country: str) -> int:
    """The fixed rate of one delivered message (per 1,000, smallest unit); 0 if free."""
    share = _CATEGORY_SHARE.get(pricing_category)
    if share is None:
        return 0  # service conversations and non-template messages
    return round(marketing_rate(country) * share)


def major_units(per_thousand: float) -> float:
    """Per-1,000 smallest units (cents) -> currency units for one message."""
    return per_thousand / 100_000
