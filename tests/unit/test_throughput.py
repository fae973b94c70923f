"""Per-number throughput: the bucket's arithmetic, a process's grant, and the limiter that
spends grants from a store shared by several processes (here a store that runs the same
rule in memory, as the database does: tests/integration/storage/test_throughput.py)."""

from __future__ import annotations

import asyncio

import pytest

from mmgate.clock import SandboxClock
from mmgate.domain.throughput import (
    GRANT_LIFETIME,
    Ask,
    Grant,
    Limit,
    Taken,
    refill,
    take,
    take_first,
)
from mmgate.errors import GraphError
from mmgate.services.throughput import ThroughputLimiter
from mmgate.storage.port import Store

NOW = 1_000_000.0


def test_a_grant_is_a_tenth_of_a_second_at_most_and_a_quarter_of_that_at_least() -> None:
    assert (Limit(80).grant, Limit(80).worth_asking) == (8, 2)
    assert (Limit(1000).grant, Limit(1000).worth_asking) == (100, 25)
    assert (Limit(1).grant, Limit(1).worth_asking) == (1, 1)
    assert Limit(80).burst == 80


def test_the_bucket_refills_at_the_rate_up_to_the_burst() -> None:
    limit = Limit(80)
    assert refill(0.0, NOW, NOW + 0.5, limit) == 40.0
    assert refill(70.0, NOW, NOW + 0.5, limit) == 80.0
    assert refill(10.0, NOW, NOW - 5, limit) == 10.0  # a clock behind adds nothing


def test_a_grant_takes_whole_tokens_and_the_bucket_time_never_goes_back() -> None:
    limit = Limit(80)
    assert take_first(Ask(8), limit) == Taken(8, 72.0)
    assert take_first(Ask(100), limit) == Taken(80, 0.0)
    taken, at = take(0.0, NOW, Ask(8), limit, NOW + 0.05)
    assert (taken.granted, taken.left, at) == (4, pytest.approx(0.0, abs=1e-6), NOW + 0.05)
    taken, at = take(0.5, NOW, Ask(8), limit, NOW - 1)
    assert (taken, at) == (Taken(0, 0.5), NOW)
    # 1/80 s of float time is a whole token, even when the subtraction says 0.99999…
    assert take(0.0, 1000.0, Ask(8), limit, 1000.0125)[0].granted == 1


def test_tokens_given_back_count_as_never_taken_up_to_the_burst() -> None:
    limit = Limit(80)
    assert take(0.0, NOW, Ask(8, returned=5), limit, NOW)[0] == Taken(5, 0.0)
    assert take(78.0, NOW, Ask(8, returned=5), limit, NOW)[0] == Taken(8, 72.0)


def test_a_process_spends_its_grant_until_it_runs_out_or_expires() -> None:
    grant = Grant(Limit(80))
    assert not grant.spend(NOW) and grant.may_ask(NOW)
    grant.received(Taken(8, 72.0), NOW)
    assert [grant.spend(NOW) for _ in range(9)] == [True] * 8 + [False]
    grant.received(Taken(8, 64.0), NOW)
    assert grant.spend(NOW + GRANT_LIFETIME - 0.001)
    assert not grant.spend(NOW + GRANT_LIFETIME)  # unspent tokens are not hoarded
    assert grant.may_ask(NOW + GRANT_LIFETIME)


def test_after_an_empty_answer_a_process_asks_again_once_a_quarter_grant_has_refilled() -> None:
    grant = Grant(Limit(80))
    grant.received(Taken(3, 0.0), NOW)
    assert not grant.may_ask(NOW + 0.024)
    assert grant.may_ask(NOW + 0.025)  # 2 tokens at 80/s
    grant.received(Taken(0, 1.5), NOW)
    assert not grant.may_ask(NOW + 0.006) and grant.may_ask(NOW + 0.00625)


def test_a_bucket_that_answered_with_plenty_may_be_asked_again_whenever() -> None:
    """Even at a time before its answer: a send's time may be older than the ask it waited
    for (another send, a moment later, started it)."""
    grant = Grant(Limit(1000))
    grant.received(Taken(50, 900.0), NOW + 0.01)
    assert grant.may_ask(NOW)


def test_the_next_grant_is_asked_for_while_a_grant_is_left_and_adds_to_it() -> None:
    grant = Grant(Limit(1000))
    assert grant.ask(NOW) == Ask(100)
    grant.received(Taken(100, 900.0), NOW)
    assert grant.running_low()  # one grant left: ask for the next now
    assert grant.ask(NOW) == Ask(100)  # the same size: tokens were left
    grant.received(Taken(100, 800.0), NOW)
    assert grant.tokens == 200 and not grant.running_low()


def test_an_idle_process_gives_expired_tokens_back_and_asks_for_fewer() -> None:
    grant = Grant(Limit(1000))
    grant.received(Taken(100, 900.0), NOW)
    grant.spend(NOW)
    later = NOW + GRANT_LIFETIME
    assert grant.ask(later) == Ask(50, returned=99)
    assert grant.tokens == 0
    asks = []
    for _ in range(3):
        grant.received(Taken(grant.size, 900.0), later)
        later += GRANT_LIFETIME
        asks.append(grant.ask(later))
    assert asks == [Ask(25, returned=50), Ask(25, returned=25), Ask(25, returned=25)]


def test_a_busy_process_asks_for_more_up_to_a_grant() -> None:
    grant = Grant(Limit(1000))
    grant.size = 25  # as after an idle spell
    grant.received(Taken(25, 900.0), NOW)
    for _ in range(10):
        grant.spend(NOW)
    assert grant.ask(NOW) == Ask(25)  # asked ahead, before it spent a whole ask's worth
    grant.received(Taken(25, 900.0), NOW)
    for _ in range(25):
        grant.spend(NOW)
    assert grant.ask(NOW) == Ask(50)  # spent a whole ask's worth since: twice as many
    grant.received(Taken(50, 900.0), NOW)
    sizes = []
    for _ in range(3):
        while grant.tokens > 0:
            grant.spend(NOW)
        sizes.append(grant.ask(NOW).tokens)
        grant.received(Taken(sizes[-1], 900.0), NOW)
    assert sizes == [100, 100, 100]  # at most a grant


class SharedBucket:
    """The store's one call, in memory, with the domain's rule; counts the writes."""

    def __init__(self) -> None:
        self.buckets: dict[str, tuple[float, float]] = {}
        self.writes = 0

    async def take_throughput(
        self, phone_number_id: str, ask: Ask, limit: Limit, now: float
    ) -> Taken:
        self.writes += 1
        await asyncio.sleep(0)  # a write is never instant: others run meanwhile
        held = self.buckets.get(phone_number_id)
        if held is None:
            taken, at = take_first(ask, limit), now
        else:
            taken, at = take(*held, ask, limit, now)
        self.buckets[phone_number_id] = (taken.left, at)
        return taken


def _limiter(per_second: float, bucket: SharedBucket, clock: SandboxClock) -> ThroughputLimiter:
    store: Store = bucket  # type: ignore[assignment]  # the one call the limiter makes
    return ThroughputLimiter(per_second, store, clock)


async def _accepted(limiter: ThroughputLimiter, sends: int, number: str = "p1") -> int:
    accepted = 0
    for _ in range(sends):
        try:
            await limiter.take(number)
        except GraphError as exc:
            assert (exc.code, exc.http_status) == (130429, 429)
        else:
            accepted += 1
    return accepted


@pytest.mark.anyio
async def test_the_limit_holds_with_a_write_per_grant_and_none_per_refusal() -> None:
    bucket, clock = SharedBucket(), SandboxClock(frozen_at=NOW)
    limiter = _limiter(80, bucket, clock)
    assert await _accepted(limiter, 80) == 80
    writes = bucket.writes
    assert writes <= 11  # a grant of 8 at a time (and the empty answer)
    assert await _accepted(limiter, 500) == 0
    assert bucket.writes == writes  # refusals cost nothing
    assert await _accepted(limiter, 1, number="p2") == 1  # another number's own budget
    clock.advance(1)
    assert await _accepted(limiter, 100) == 80  # refilled on the clock


@pytest.mark.anyio
async def test_two_processes_on_one_bucket_together_stay_within_the_limit() -> None:
    bucket, clock = SharedBucket(), SandboxClock(frozen_at=NOW)
    first, second = _limiter(80, bucket, clock), _limiter(80, bucket, clock)
    together = await asyncio.gather(_accepted(first, 100), _accepted(second, 100))
    assert sum(together) == 80 and min(together) > 0
    clock.advance(1)  # a second later: the refill, and what each had not spent goes back
    later = await asyncio.gather(_accepted(first, 100), _accepted(second, 100))
    assert sum(later) == 80


@pytest.mark.anyio
async def test_sends_that_find_the_grant_spent_wait_for_one_ask_together() -> None:
    bucket = SharedBucket()
    limiter = _limiter(1000, bucket, SandboxClock(frozen_at=NOW))
    await asyncio.gather(*(limiter.take("p1") for _ in range(100)))
    assert bucket.writes == 2  # the grant they all waited for, and the next one, ahead


@pytest.mark.anyio
async def test_no_limit_never_reaches_the_store() -> None:
    limiter = ThroughputLimiter(0, store=None, clock=None)  # type: ignore[arg-type]
    for _ in range(10_000):
        await limiter.take("p1")


@pytest.mark.anyio
async def test_tokens_one_process_let_expire_go_back_to_the_bucket_for_the_other() -> None:
    bucket, clock = SharedBucket(), SandboxClock(frozen_at=NOW)
    idle, busy = _limiter(80, bucket, clock), _limiter(80, bucket, clock)
    assert await _accepted(idle, 1) == 1  # it took a grant and the next one, ahead
    assert await _accepted(busy, 100) == 80 - 2 * Limit(80).grant
    clock.advance(0.5)
    assert await _accepted(busy, 100) == 40
    # A second on, the idle process's next ask gives back the 15 it did not spend, and it
    # takes half-size grants (4 and 4 ahead) from then on.
    clock.advance(0.5)
    assert await _accepted(idle, 1) == 1
    assert await _accepted(busy, 100) == 40 + 15 - 2 * 4
