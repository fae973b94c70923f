"""Meta's spend book keeps counters, not messages, and forgets old days: memory stays
flat however many messages a campaign sends."""

from __future__ import annotations

from mmgate.domain.routing import Route
from mmgate.emulator.market import Market
from mmgate.emulator.messages import SimMessage
from mmgate.emulator.spend import DAY, KEEP_DAYS, SpendBook, totals_of
from mmgate.emulator.world import PhoneNumber, TemplateRecord

T0 = 1_800_000_000.0
TEMPLATE = TemplateRecord(id="1", name="sale", language="en", category="MARKETING")


def _message(i: int, sent_at: float, bid: int | None = None) -> SimMessage:
    return SimMessage(
        meta_wamid=f"wamid.{i}",
        waba_id="w",
        phone=PhoneNumber("p", "1555"),
        wa_id=f"919{i:05d}123",  # never a test number (those end 00NN)
        pricing_category="marketing_lite",
        is_marketing=True,
        route=Route.MM_API,
        callback_data=None,
        graph_version=23,
        sent_at=sent_at,
        expires_at=sent_at + 30 * DAY,
        conversation_id="c",
        template=TEMPLATE,
        country="IN",
        bid=bid,
    )


def test_counters_per_day_and_old_days_forgotten() -> None:
    market = Market()
    market.settings.fixed = {"IN": 700}
    book = SpendBook(market)
    for i in range(5000):
        message = _message(i, T0 + i, bid=1000)
        book.on_status(message, "sent", message.sent_at)
        at = book.gate(message, message.sent_at + 1)
        assert at == message.sent_at + 1 and message.charge == 700
        book.on_status(message, "delivered", at)
        book.on_status(message, "clicked", at)
    assert len(book.book) <= 2  # 5000 messages over at most two days: two counters
    total = totals_of(book.rows(since=0, until=T0 + 2 * DAY))
    assert (total.sent, total.delivered, total.clicks, total.spend) == (5000, 5000, 5000, 3_500_000)
    later = _message(9, T0 + (KEEP_DAYS + 2) * DAY)
    book.on_status(later, "sent", later.sent_at)
    assert len(book.book) == 1  # the old days are gone


def test_a_bid_below_every_price_within_the_ttl_is_never_delivered() -> None:
    market = Market()
    market.settings.fixed = {"IN": 700}
    book = SpendBook(market)
    message = _message(1, T0, bid=699)
    assert book.gate(message, T0 + 1) is None
    market.settings.fixed = {}
    market.settings.hourly = {"IN": [900] * 12 + [500] * 12}
    start = T0 - T0 % DAY  # midnight UTC: 12 dear hours, then cheap ones
    at = book.gate(_message(2, start, bid=600), start + 60)
    assert at == start + 12 * 3600
