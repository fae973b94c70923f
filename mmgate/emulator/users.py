"""The simulated WhatsApp users: how each recipient behaves.

A recipient's behaviour comes from, in order: an explicit override
(`/sandbox/recipients/{number}`), the documented test numbers
(docs/test-numbers.md), then the population (happy path by default, or the
seeded realistic population: mmgate/emulator/population.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from mmgate.emulator.market_numbers import MARKET_NUMBERS

if TYPE_CHECKING:
    from mmgate.emulator.population import Population

HOUR = 3600.0


class Behaviour(msgspec.Struct, omit_defaults=True):
    on_whatsapp: bool = True
    online_after_seconds: float | None = 0.0  # after each send; None = never online
    delivery_delay_seconds: float = 1.0
    reads: bool = True  # False: never opens the chat (or has read receipts off)
    read_delay_seconds: float = 2.0
    taps_cta: bool = False
    tap_delay_seconds: float = 3.0  # after the read
    opted_out_of_marketing: bool = False
    at_marketing_limit: bool = False
    name: str | None = None
    mm_extra_delay_seconds: float | None = None  # None: the network's fixed MM extra
    # What the user does after reading a message (network._auto_answer): a text sent
    # as a reply, `quick_reply:<index>` (taps that template button) or `stop_marketing`.
    answers: str | None = None
    answer_delay_seconds: float = 5.0  # after the read


# Suffix -> behaviour: exact, whatever the population (docs/test-numbers.md).
TEST_NUMBERS: dict[str, Behaviour] = {
    "0000": Behaviour(on_whatsapp=False),
    "0001": Behaviour(online_after_seconds=24 * HOUR),
    "0002": Behaviour(reads=False),
    "0003": Behaviour(taps_cta=True),
    "0004": Behaviour(opted_out_of_marketing=True),
    "0005": Behaviour(at_marketing_limit=True),
    "0006": Behaviour(),  # the happy path, also in the realistic population
    "0009": Behaviour(online_after_seconds=None),
    # Users who answer what they read (docs/test-numbers.md).
    "0030": Behaviour(answers="STOP"),  # replies "STOP" (text: Meta does not act on it)
    "0031": Behaviour(answers="quick_reply:0"),  # taps the template's first button
    "0032": Behaviour(answers="stop_marketing"),  # stops marketing messages (user_preferences)
    "0033": Behaviour(answers="Hi! Tell me more"),  # writes back: opens the 24 h window
    # Max price outcomes (emulator/market_numbers.py): the happy path, whatever the population.
    **{suffix: Behaviour() for suffix in MARKET_NUMBERS},
}


def test_number_behaviour(wa_id: str) -> Behaviour | None:
    return TEST_NUMBERS.get(wa_id[-4:])


def behaviour_for(
    wa_id: str, overrides: dict[str, Behaviour], population: Population | None = None
) -> Behaviour:
    found = overrides.get(wa_id)
    if found is None:
        found = test_number_behaviour(wa_id)
    if found is not None:
        return found
    return population.behaviour(wa_id) if population is not None else HAPPY


def display_name(wa_id: str) -> str:
    return f"Test User {wa_id[-4:]}"


HAPPY = Behaviour()
