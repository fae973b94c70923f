"""The population of recipients that are not test numbers: happy by default, or drawn
from a seed and the number with a stable hash; test numbers stay exact."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

import msgspec
import pytest

from mmgate.emulator.network import MM_EXTRA_DELIVERY
from mmgate.emulator.population import Kind, Population, realistic_behaviour
from mmgate.emulator.users import TEST_NUMBERS, Behaviour, behaviour_for
from tests.integration.emulator.support import SANDBOX
from tests.support.inprocess import InProcessApp

pytestmark = pytest.mark.anyio

NUMBERS = [f"4477009{i:05d}7" for i in range(20_000)]  # no test-number suffix


def test_the_default_population_is_the_happy_path() -> None:
    assert Population().behaviour("447700900127") == Behaviour()
    assert Behaviour().delivery_delay_seconds + MM_EXTRA_DELIVERY < 8


def test_a_seed_and_a_number_give_the_same_user_in_every_process() -> None:
    code = (
        "import json, msgspec; from mmgate.emulator.population import realistic_behaviour as r;"
        "print(json.dumps([msgspec.to_builtins(r(7, n)) for n in ['447700900127', '4915112345']]))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1]
    here = [realistic_behaviour(7, n) for n in ("447700900127", "4915112345")]
    assert json.loads(runs[0]) == [_plain(b) for b in here]
    assert realistic_behaviour(8, "447700900127") != realistic_behaviour(7, "447700900127")


def _plain(behaviour: Behaviour) -> dict[str, object]:
    plain: dict[str, object] = msgspec.to_builtins(behaviour)
    return plain


def test_the_realistic_population_has_the_documented_shares_and_delays() -> None:
    users = [realistic_behaviour(42, n) for n in NUMBERS]
    share = lambda test: sum(1 for u in users if test(u)) / len(users)  # noqa: E731

    assert share(lambda u: u.at_marketing_limit) == pytest.approx(0.03, abs=0.01)
    online = [u for u in users if not u.at_marketing_limit]
    assert share(lambda u: u.online_after_seconds is None) == pytest.approx(0.02, abs=0.01)
    offline = [u.online_after_seconds for u in online if u.online_after_seconds]
    assert len(offline) / len(users) == pytest.approx(0.12, abs=0.02)
    assert min(offline) >= 600 and max(offline) <= 36 * 3600
    assert any(o > 12 * 3600 for o in offline)  # some 12 h TTLs expire
    assert share(lambda u: not u.reads) == pytest.approx(0.2 * 0.97, abs=0.02)
    assert share(lambda u: u.taps_cta) == pytest.approx(0.06 * 0.8 * 0.97, abs=0.01)
    assert all(u.reads for u in users if u.taps_cta)
    cloud = [u.delivery_delay_seconds for u in online]
    mm = [u.delivery_delay_seconds + (u.mm_extra_delay_seconds or 0) for u in online]
    assert max(cloud) <= 5.0 and max(mm) <= 8.0  # reference §7
    assert statistics.median(cloud) < statistics.median(mm)
    reads = [u.read_delay_seconds for u in online if u.reads]
    assert min(reads) >= 5 and max(reads) <= 6 * 3600


def test_test_numbers_are_exact_in_every_population() -> None:
    realistic = Population(Kind.REALISTIC, 3)
    for suffix, behaviour in TEST_NUMBERS.items():
        number = "4477009" + suffix
        assert behaviour_for(number, {}, realistic) == behaviour
        assert behaviour_for(number, {}, Population()) == behaviour
    assert TEST_NUMBERS["0006"] == Behaviour()  # happy in every population
    assert TEST_NUMBERS["0003"] == Behaviour(taps_cta=True)


async def test_the_sandbox_switches_population_and_reports_each_number(app: InProcessApp) -> None:
    async def behaviour(number: str) -> dict[str, object]:
        answer = await app.http.get(f"/sandbox/recipients/{number}", headers=SANDBOX)
        found: dict[str, object] = answer.json()["behaviour"]
        return found

    assert await behaviour(NUMBERS[1]) == {}
    answer = await app.http.post(
        "/sandbox/settings", json={"population": "realistic", "population_seed": 9}, headers=SANDBOX
    )
    assert answer.json()["population"] == "realistic"
    assert answer.json()["population_seed"] == 9

    for number in NUMBERS[:20]:
        assert await behaviour(number) == _plain(realistic_behaviour(9, number))
    assert await behaviour("447700900006") == {}
    wrong = await app.http.post("/sandbox/settings", json={"population": "odd"}, headers=SANDBOX)
    assert wrong.status_code == 400
