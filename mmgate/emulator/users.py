"""The simulated WhatsApp users: how each recipient behaves.

Every number not listed is the happy path (online, delivers in about a second,
reads shortly after). Documented test numbers trigger each case on purpose
(docs/test-numbers.md); `/sandbox/recipients/{number}` overrides any number.
"""

from __future__ import annotations

import msgspec

HOUR = 3600.0


class Behaviour(msgspec.Struct, omit_defaults=True):
    on_whatsapp: bool = True
    online_after_seconds: float | None = 0.0  # after each send; None = never online
    delivery_delay_seconds: float = 1.0
    reads: bool = True
    read_delay_seconds: float = 2.0
    taps_cta: bool = False
    opted_out_of_marketing: bool = False
    at_marketing_limit: bool = False
    name: str | None = None


def behaviour_for(wa_id: str, overrides: dict[str, Behaviour]) -> Behaviour:
    if wa_id in overrides:
        return overrides[wa_id]
    suffix = wa_id[-4:]
    if suffix == "0000":
        return Behaviour(on_whatsapp=False)
    if suffix == "0001":
        return Behaviour(online_after_seconds=24 * HOUR)
    if suffix == "0002":
        return Behaviour(reads=False)
    if suffix == "0003":
        return Behaviour(taps_cta=True)
    if suffix == "0004":
        return Behaviour(opted_out_of_marketing=True)
    if suffix == "0005":
        return Behaviour(at_marketing_limit=True)
    if suffix == "0009":
        return Behaviour(online_after_seconds=None)
    return Behaviour()


def display_name(wa_id: str) -> str:
    return f"Test User {wa_id[-4:]}"
