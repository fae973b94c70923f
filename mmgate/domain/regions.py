"""Region rules (reference §1.2): no sending to sanctioned regions; no marketing to US users.

Sanctioned by country calling code: Cuba (+53), Iran (+98), North Korea (+850),
Syria (+963), Venezuela (+58). Crimea, Donetsk and Luhansk share Ukraine's +380
and cannot be told apart by number, so they are not refused here.
"""

from __future__ import annotations

from mmgate.errors import GraphError

SANCTIONED_PREFIXES = ("53", "98", "850", "963", "58")


def check_recipient_region(wa_id: str) -> None:
    if wa_id.startswith(SANCTIONED_PREFIXES):
        raise GraphError(
            130497, "Messaging users in this country is not allowed (sanctioned region)."
        )


def is_us_number(wa_id: str) -> bool:
    # The whole +1 zone is treated as US: Canada and the Caribbean share it, and Meta's
    # block is stated for "+1 US numbers"; documented in docs/api-compatibility.md.
    return wa_id.startswith("1")
