"""The per-number throughput bucket in the database: one write item per grant, the same
arithmetic as domain/throughput.take on every backend, and grants that never add up past
the limit when several processes ask at once."""

from __future__ import annotations

import asyncio
import random
from contextlib import AsyncExitStack

import pytest

from mmgate.domain.throughput import Ask, Limit, Taken, take
from mmgate.storage.port import Store
from mmgate.storage.postgres.store import PostgresStore
from tests.integration.storage.backends import POSTGRES_URL, isolated_schema, started
from tests.integration.storage.workspace import NOW

pytestmark = pytest.mark.anyio
LIMIT = Limit(80)


async def test_a_new_number_starts_full_and_grants_drain_it(store: Store) -> None:
    granted = [(await store.take_throughput("p1", Ask(8), LIMIT, NOW)).granted for _ in range(11)]
    assert granted == [8] * 10 + [0]
    assert await store.take_throughput("p2", Ask(8), LIMIT, NOW) == Taken(8, 72.0)  # its own


async def test_the_bucket_refills_on_the_clock_up_to_the_burst(store: Store) -> None:
    assert await store.take_throughput("p1", Ask(80), LIMIT, NOW) == Taken(80, 0.0)
    assert _rounded(await store.take_throughput("p1", Ask(8), LIMIT, NOW + 0.05)) == (4, 0.0)
    assert _rounded(await store.take_throughput("p1", Ask(8), LIMIT, NOW + 0.06)) == (0, 0.8)
    # 1/80 s after the last whole token: one more, though float time is never exact.
    assert (await store.take_throughput("p1", Ask(8), LIMIT, NOW + 0.0625)).granted == 1
    assert await store.take_throughput("p1", Ask(8), LIMIT, NOW + 3600) == Taken(8, 72.0)


def _rounded(taken: Taken) -> tuple[int, float]:
    return taken.granted, round(taken.left, 6)


async def test_tokens_given_back_refill_the_bucket_up_to_the_burst(store: Store) -> None:
    assert await store.take_throughput("p1", Ask(80), LIMIT, NOW) == Taken(80, 0.0)
    assert await store.take_throughput("p1", Ask(8, returned=5), LIMIT, NOW) == Taken(5, 0.0)
    assert await store.take_throughput("p1", Ask(8), LIMIT, NOW + 2) == Taken(8, 72.0)
    given_back = await store.take_throughput("p1", Ask(8, returned=50), LIMIT, NOW + 2)
    assert given_back == Taken(8, 72.0)  # the bucket was full: what comes back is dropped


async def test_a_clock_behind_the_bucket_adds_nothing_and_does_not_move_it_back(
    store: Store,
) -> None:
    assert await store.take_throughput("p1", Ask(80), LIMIT, NOW) == Taken(80, 0.0)
    assert await store.take_throughput("p1", Ask(8), LIMIT, NOW - 10) == Taken(0, 0.0)
    # The bucket's time stayed at NOW: 1/8 s later is 10 tokens, not 810 s worth.
    assert _rounded(await store.take_throughput("p1", Ask(80), LIMIT, NOW + 0.125)) == (10, 0.0)


@pytest.mark.parametrize("seed", range(3))
async def test_the_store_runs_the_domain_rule(store: Store, seed: int) -> None:
    """Any sequence of asks and times: the database answers what the pure rule does."""
    rng = random.Random(seed)
    limit = Limit(rng.choice([1, 7.5, 80, 1000]))
    first = await store.take_throughput("p1", Ask(limit.grant), limit, NOW)
    expected, at = take(limit.burst, NOW, Ask(limit.grant), limit, NOW)
    assert first == expected
    tokens, now = expected.left, NOW
    for _ in range(40):
        now += rng.choice([0.0, 0.001, 0.013, 0.1, 0.5, -0.2])
        ask = Ask(rng.randint(1, 2 * limit.grant), rng.choice([0, 0, 3]))
        expected, at = take(tokens, at, ask, limit, now)
        got = await store.take_throughput("p1", ask, limit, now)
        assert got.granted == expected.granted
        assert got.left == pytest.approx(expected.left, abs=1e-6)
        tokens = expected.left


@pytest.mark.postgres
async def test_two_processes_asking_at_once_never_get_more_than_the_bucket_holds() -> None:
    async with isolated_schema() as settings, AsyncExitStack() as stack:
        stores = [
            await stack.enter_async_context(
                started(PostgresStore(POSTGRES_URL, server_settings=settings))
            )
            for _ in range(2)
        ]
        asks = [store.take_throughput("p1", Ask(3), LIMIT, NOW) for store in stores * 20]
        granted = [t.granted for t in await asyncio.gather(*asks)]
    assert sum(granted) == 80  # the burst, exactly: 26 grants of 3 and one of 2
    assert sorted(granted).count(0) == 40 - 27
