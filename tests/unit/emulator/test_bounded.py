"""What keeps the simulation's memory flat: the scheduler fires no faster than the
webhook queue drains, chats and seen callbacks are bounded windows; and the click
webhook builder's exact shape."""

from __future__ import annotations

import asyncio

from mmgate.clock import SandboxClock
from mmgate.domain.routing import Route
from mmgate.domain.webhooks import click_value
from mmgate.emulator.chats import KEEP_SECONDS, ChatBook
from mmgate.emulator.messages import SimMessage
from mmgate.emulator.recent import RecentSet
from mmgate.emulator.scheduler import MAX_FIRE_PER_TICK, Scheduler
from mmgate.emulator.world import PhoneNumber

T0 = 1_800_000_000.0


def test_a_jump_fires_in_order_but_never_past_the_backlog() -> None:
    clock = SandboxClock(frozen_at=T0)
    scheduler = Scheduler(clock)
    queue: list[int] = []
    scheduler.limit_by(lambda: len(queue), 500)
    for i in reversed(range(10_000)):
        scheduler.at(T0 + 1 + i / 10, lambda _now, i=i: queue.append(i))
    clock.advance(3600)

    fired, seen = [], 0
    while len(scheduler):
        while scheduler.fire_due():  # turn after turn, until the backlog holds it back
            assert len(queue) <= 500 + MAX_FIRE_PER_TICK  # checked once a turn
        fired += queue
        seen = max(seen, len(queue))
        queue.clear()  # the sender drains

    assert fired == list(range(10_000))  # in due order
    assert seen >= 500


def test_the_loop_waits_for_the_backlog_and_resumes_when_it_drains() -> None:
    async def scenario() -> list[int]:
        clock = SandboxClock(frozen_at=T0)
        scheduler = Scheduler(clock)
        queue: list[int] = []
        scheduler.limit_by(lambda: len(queue), 50)
        for i in range(200):
            scheduler.at(T0 + i, lambda _now, i=i: queue.append(i))
        loop = asyncio.create_task(scheduler.run())
        clock.advance(1000)
        drained: list[int] = []
        for _ in range(4000):
            await asyncio.sleep(0)  # lets the loop run (no waiting on time)
            assert len(queue) <= 150
            drained += queue
            queue.clear()
            scheduler.backlog_drained()  # as the webhook sender does when it takes one
            if len(drained) == 200:
                break
        loop.cancel()
        return drained

    assert asyncio.run(scenario()) == list(range(200))


def test_drop_forgets_one_owners_events_only() -> None:
    scheduler = Scheduler(SandboxClock(frozen_at=T0))
    mine, theirs = object(), object()
    for i in range(10):
        scheduler.at(T0 + i, lambda _now: None, mine if i % 2 else theirs)

    assert scheduler.drop(mine) == 5
    assert len(scheduler) == 5
    assert scheduler.drop(mine) == 0


def _message(wa_id: str, sent_at: float, n: int = 0) -> SimMessage:
    return SimMessage(
        meta_wamid=f"wamid.{wa_id}.{n}",
        waba_id="1",
        phone=PhoneNumber("2", "15550001111"),
        wa_id=wa_id,
        pricing_category="marketing_lite",
        is_marketing=True,
        route=Route.MM_API,
        callback_data=f"mmg1:gw.{wa_id}.{n}|client",
        graph_version=23,
        sent_at=sent_at,
        expires_at=sent_at + 86400,
        conversation_id="c",
    )


def test_chats_keep_the_last_messages_of_the_latest_recipients_and_7_days_only() -> None:
    book = ChatBook(max_chats=100, per_chat=3)
    for i in range(1000):
        book.add(_message(f"44{i}", T0 + i))
    for n in range(5):
        book.add(_message("44999", T0 + 1000 + n, n))

    assert len(book) == 100
    assert book.chat("440") == []  # the oldest recipients are forgotten
    assert [m.meta_wamid for m in book.chat("44999")] == [f"wamid.44999.{n}" for n in (2, 3, 4)]
    assert book.find("gw.44999.4") is book.chat("44999")[-1]  # the gateway's wamid
    assert book.find("wamid.44999.4") is book.chat("44999")[-1]
    assert book.find("wamid.44999.0") is None

    book.add(_message("4412345", T0 + 1005 + KEEP_SECONDS))
    assert len(book) == 1  # everything older than the 7-day click window is gone


def test_recent_set_is_a_bounded_window() -> None:
    seen = RecentSet(size=1000)
    for i in range(10_000):
        seen.add(f"mmg1:wamid.{i}")

    assert len(seen) <= 1000
    assert "mmg1:wamid.9999" in seen and "mmg1:wamid.9500" in seen
    assert "mmg1:wamid.1" not in seen


def test_the_click_value_is_the_documented_shape() -> None:
    value = click_value(
        phone_number_id="300000000000001",
        display_phone_number="15550001111",
        timestamp=1755665204.7,
        click_component="cta",
        click_id="c1",
        tracking_token="t1",
    )

    assert value == {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": "300000000000001"},
        "user_actions": [
            {
                "action_type": "marketing_messages_link_click",
                "timestamp": "1755665204",
                "marketing_messages_link_click_data": {
                    "click_component": "cta",
                    "click_id": "c1",
                    "tracking_token": "t1",
                },
            }
        ],
    }
