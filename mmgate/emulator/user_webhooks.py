"""The webhooks a user's own actions produce, in Meta's shapes (strict):

- `messages` with `contacts[]` and `messages[]` (text, `button` for a template's
  quick reply, `reaction`, each with `context` when it answers a message);
- `user_preferences` (marketing messages stopped or resumed).

`Identity` decides how the user is named: the phone number (`wa_id`, `from`) and,
with the 2026 shapes switched on in the sandbox, the business-scoped user id
(`user_id`, `from_user_id`) and `username`; the phone number is then left out when
the setting hides it, as for a user who adopted a username.
"""

from __future__ import annotations

import collections
import functools
import hashlib
from dataclasses import dataclass
from typing import Any

from mmgate.domain.payloads import SendRequest
from mmgate.emulator.users import display_name
from mmgate.emulator.world import PhoneNumber
from mmgate.errors import GraphError


@dataclass(frozen=True, slots=True)
class Identity:
    """How users are named in webhooks. Always: the phone number (`wa_id`, `from`,
    `recipient_id`) and the business-scoped user id in `contacts[].user_id`, as Meta's
    webhooks carry since April 2026 (and pywa 4.5 requires). The 2026 sandbox setting
    `user_identity` adds usernames: `username` (`profile.username`, on inbound messages
    and delivered/read statuses), `from_user_id` and `recipient_user_id`; with
    `username_only` the user hid their number: `wa_id`, `from`, `recipient_id` go."""

    usernames: bool = False
    hide_phone_numbers: bool = False

    def contact(self, wa_id: str, business_id: str, *, username: bool = True) -> dict[str, Any]:
        profile: dict[str, Any] = {"name": display_name(wa_id)}
        if self.usernames and username:
            profile["username"] = username_of(wa_id)
        contact: dict[str, Any] = {"profile": profile}
        if not self.hide_phone_numbers:
            contact["wa_id"] = wa_id
        contact["user_id"] = business_scoped_user_id(wa_id, business_id)
        return contact

    def sender(self, wa_id: str, business_id: str) -> dict[str, str]:
        """The `from` / `from_user_id` keys of an inbound message."""
        found: dict[str, str] = {}
        if not self.hide_phone_numbers:
            found["from"] = wa_id
        if self.usernames:
            found["from_user_id"] = business_scoped_user_id(wa_id, business_id)
        return found

    def apply_to_status(
        self, value: dict[str, Any], wa_id: str, business_id: str, status: str
    ) -> None:
        """A status webhook's value, built with the phone number, named as set."""
        value["contacts"] = [
            self.contact(wa_id, business_id, username=status in ("delivered", "read"))
        ]
        for body in value.get("statuses") or []:
            if self.usernames:
                body["recipient_user_id"] = business_scoped_user_id(wa_id, business_id)
            if self.hide_phone_numbers:
                body.pop("recipient_id", None)


IDENTITIES = {
    "phone": Identity(),
    "username": Identity(usernames=True),
    "username_only": Identity(usernames=True, hide_phone_numbers=True),
}


# BSUID -> phone number, for sends addressed by `recipient` (a user who hid their number).
_KNOWN: collections.OrderedDict[str, str] = collections.OrderedDict()
MAX_KNOWN = 65_536


def wa_id_of(user_id: str) -> str | None:
    """The phone number behind a business-scoped user id the emulator gave out."""
    return _KNOWN.get(user_id)


def business_scoped_user_id(wa_id: str, business_id: str) -> str:
    found = _bsuid(wa_id, business_id)
    if found not in _KNOWN:
        _KNOWN[found] = wa_id
        if len(_KNOWN) > MAX_KNOWN:
            _KNOWN.popitem(last=False)
    return found


@functools.lru_cache(maxsize=65_536)  # every status webhook names its user: hash once
def _bsuid(wa_id: str, business_id: str) -> str:
    """Stable per (user, business portfolio), in Meta's `CC.<digits>` form. The
    country part is `US` for +1, `GB` for +44 and `ZZ` otherwise (a sandbox choice:
    the emulator keeps no number-to-country table)."""
    digest = hashlib.blake2b(f"{business_id}:{wa_id}".encode(), digest_size=8).digest()
    country = "US" if wa_id.startswith("1") else "GB" if wa_id.startswith("44") else "ZZ"
    return f"{country}.{int.from_bytes(digest, 'big')}"


def username_of(wa_id: str) -> str:
    return f"@test.user.{wa_id[-4:]}"


def metadata(phone: PhoneNumber) -> dict[str, str]:
    return {"display_phone_number": phone.display_phone_number, "phone_number_id": phone.id}


def message_value(
    phone: PhoneNumber, contact: dict[str, Any], message: dict[str, Any]
) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "metadata": metadata(phone),
        "contacts": [contact],
        "messages": [message],
    }


def context_of(phone: PhoneNumber, meta_wamid: str) -> dict[str, str]:
    """`context` of a reply: the business number it answers and the message's id."""
    return {"from": phone.display_phone_number, "id": meta_wamid}


def preferences_value(
    phone: PhoneNumber,
    contact: dict[str, Any],
    wa_id: str,
    value: str,
    timestamp: float,
    *,
    with_user_id: bool = False,
) -> dict[str, Any]:
    detail = {
        "stop": "User requested to stop marketing messages",
        "resume": "User requested to resume marketing messages",
    }[value]
    preference: dict[str, Any] = {}
    if "wa_id" in contact:
        preference["wa_id"] = wa_id
    if with_user_id:  # the 2026 shapes name the user by BSUID here too
        preference["user_id"] = contact["user_id"]
    preference.update(
        {
            "detail": detail,
            "category": "marketing_messages",
            "value": value,
            "timestamp": int(timestamp),
        }
    )
    return {
        "messaging_product": "whatsapp",
        "metadata": metadata(phone),
        "contacts": [contact],
        "user_preferences": [preference],
    }


def addressed_by_user_id(request: SendRequest) -> str | None:
    """A send with `recipient` (a business-scoped user id) and no `to`: addressed to the
    user behind it, whose number the business may not know (the response names the
    user by `user_id` only). Returns the BSUID, or None for a send by phone number."""
    if request.to is not None or request.recipient is None or request.bid_spec is not None:
        return None  # by number; or a max price to a BSUID, which Meta refuses (131062)
    wa_id = wa_id_of(request.recipient)
    if wa_id is None:
        raise GraphError(
            100, f"No WhatsApp user with the business-scoped user id {request.recipient}."
        )
    request.to = wa_id
    return request.recipient
