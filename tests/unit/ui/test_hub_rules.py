"""The Hub's pure parts: password hashing, session cookies and CSRF tokens, the login
throttle, the funnel and its rates, the SVG charts, a message's timeline."""

from __future__ import annotations

import json
import re

from mmgate.clock import SandboxClock
from mmgate.domain.rate_limits import LoginThrottle
from mmgate.storage.port import (
    ClickCount,
    FunnelRow,
    MessageDetail,
    MessageEvent,
    MessageSummary,
)
from mmgate.ui import analytics, charts, deliveries, passwords, sessions
from mmgate.ui.timeline import steps

SECRET = b"s" * 32
NOW = 1_800_000_000.0


def test_passwords_are_salted_scrypt_and_verify_only_the_right_one() -> None:
    first, second = (
        passwords.hash_password("tr0ub4dor&3xyz"),
        passwords.hash_password("tr0ub4dor&3xyz"),
    )
    assert first != second and first.startswith("scrypt$16384$8$1$")
    assert passwords.verify_password("tr0ub4dor&3xyz", first)
    assert not passwords.verify_password("tr0ub4dor&3xyZ", first)
    assert not passwords.verify_password("anything", "md5$abc")
    assert not passwords.verify_password("anything", "garbage")
    assert passwords.weakness("short") is not None and passwords.weakness("long enough!") is None


def test_a_session_cookie_holds_only_with_its_signature_and_before_expiry() -> None:
    session = sessions.new_session(7, 2, NOW)
    cookie = sessions.encode(SECRET, session)
    assert sessions.decode(SECRET, cookie, NOW) == session
    assert sessions.decode(SECRET, cookie, session.expires_at - 1) == session
    assert sessions.decode(SECRET, cookie, session.expires_at) is None
    assert sessions.decode(b"x" * 32, cookie, NOW) is None
    forged = cookie.replace("7.2.", "8.2.", 1)
    assert sessions.decode(SECRET, forged, NOW) is None
    for junk in ("", ".", "a.b.c.d.e", "7.2.x.n." + cookie.rsplit(".", 1)[1]):
        assert sessions.decode(SECRET, junk, NOW) is None


def test_csrf_tokens_are_per_session_and_per_purpose() -> None:
    token = sessions.csrf_token(SECRET, "session", "nonce-a")
    assert sessions.csrf_ok(SECRET, "session", "nonce-a", token)
    assert not sessions.csrf_ok(SECRET, "session", "nonce-b", token)
    assert not sessions.csrf_ok(SECRET, "login", "nonce-a", token)
    assert not sessions.csrf_ok(SECRET, "session", "nonce-a", None)
    assert not sessions.csrf_ok(SECRET, "session", "", token)


def test_the_throttle_counts_failures_per_email_and_address_over_a_window() -> None:
    clock = SandboxClock(frozen_at=NOW)
    throttle = LoginThrottle(clock, per_email=3, per_address=5)
    for _ in range(3):
        assert throttle.retry_after("Ann@x.example", "10.0.0.1") is None
        throttle.failed("Ann@x.example", "10.0.0.1")
    assert throttle.retry_after("ann@x.example", "10.0.0.2") == 900.0
    assert throttle.retry_after("bob@x.example", "10.0.0.1") is None
    throttle.failed("bob@x.example", "10.0.0.1")
    throttle.failed("eve@x.example", "10.0.0.1")
    assert throttle.retry_after("new@x.example", "10.0.0.1") is not None  # the address is out
    clock.advance(900)
    assert throttle.retry_after("ann@x.example", "10.0.0.1") is None
    throttle.failed("ann@x.example", "10.0.0.1")
    throttle.succeeded("ann@x.example")
    assert throttle.retry_after("ann@x.example", "10.0.0.3") is None


def _row(day: str, template: str, route: str, *counts: int) -> FunnelRow:
    return FunnelRow(day, template, route, *counts)


ROWS = [
    _row("2027-01-14", "summer", "mm_api", 10, 9, 8, 4, 1, 0),
    _row("2027-01-15", "summer", "mm_api", 10, 10, 6, 3, 0, 2),
    _row("2027-01-15", "summer", "cloud_api", 5, 5, 5, 5, 0, 0),
    _row("2027-01-15", "order", "cloud_api", 2, 2, 1, 0, 0, 0),
]
CLICKS = [ClickCount("2027-01-15", "ch1", 2), ClickCount("2027-01-15", "ch2", 1)]


def test_the_funnel_adds_up_per_route_and_computes_rates() -> None:
    funnels = analytics.overall(ROWS, CLICKS)
    mm, cloud = funnels.routes["mm_api"], funnels.routes["cloud_api"]
    assert (mm.accepted, mm.sent, mm.delivered, mm.read, mm.failed, mm.expired) == (
        20, 19, 14, 7, 1, 2,
    )  # fmt: skip
    assert mm.clicked == 3 and cloud.clicked is None
    assert mm.delivery_rate == 14 / 19 and mm.read_rate == 0.5 and mm.click_rate == 3 / 14
    assert cloud.read_rate == 5 / 6 and cloud.click_rate is None
    assert funnels.total.accepted == 27 and funnels.total.clicked == 3
    assert analytics.Funnel().delivery_rate is None


def test_funnels_per_template_and_per_day_keep_empty_days() -> None:
    templates = analytics.by_template(ROWS)
    assert [t.label for t in templates] == ["summer", "order"]
    assert templates[0].routes["cloud_api"].accepted == 5
    days = analytics.by_day(ROWS, CLICKS, ["2027-01-13", "2027-01-14", "2027-01-15"])
    assert [d.total.accepted for d in days] == [0, 10, 17]
    assert [d.routes["mm_api"].clicked for d in days] == [0, 0, 3]


def test_a_period_is_whole_utc_days_ending_today() -> None:
    span = analytics.period(1_800_000_000.0, 7)  # 2027-01-15 08:00 UTC
    assert span.days[0] == "2027-01-09" and span.days[-1] == "2027-01-15"
    assert span.until - span.since == 7 * 86_400 and span.since % 86_400 == 0


def test_charts_are_svg_with_a_tooltip_per_mark_and_escape_names() -> None:
    funnels = analytics.overall(ROWS, CLICKS)
    svg = str(charts.funnel_chart(funnels))
    assert svg.startswith("<svg") and "<title>MM API: 19 sent</title>" in svg
    assert "Cloud API: n/a clicked" in svg
    days = analytics.by_day(ROWS, CLICKS, ["2027-01-14", "2027-01-15"])
    volume = str(charts.volume_chart(days))
    assert volume.count("<rect") >= 4 and "15 Jan: 10 via MM API" in volume
    rate = str(charts.rate_chart(days, "read_rate", "Read <rate>"))
    assert "Read &lt;rate&gt;" in rate and "<script" not in rate and "<polyline" in rate
    hostile = analytics.RouteFunnels('<img src=x onerror="alert(1)">')
    assert "<img" not in str(charts.funnel_chart(hostile))
    assert 'width="30.0"' in str(charts.meter(0.5))


def test_axis_maxima_are_round() -> None:
    assert [charts._nice_max(v) for v in (0, 3, 5, 37, 150, 999)] == [4, 4, 8, 40, 200, 1000]


def _detail(status: str, events: list[tuple[str, float, str | None]]) -> MessageDetail:
    summary = MessageSummary(
        "wamid.A", "ch", "15550001111", "441234567890", "marketing_messages", "summer",
        "MARKETING", "mm_api", "mm_api" if events else None, status, None, NOW, NOW,
    )  # fmt: skip
    return MessageDetail(
        summary, "en", "marketing_messages", None, 2_592_000, NOW + 2_592_000, b"{}",
        [MessageEvent(*e) for e in events],
    )  # fmt: skip


def test_a_timeline_shows_what_happened_then_what_is_still_ahead() -> None:
    waiting = steps(_detail("sent", [("sent_upstream", NOW, "wamid.M"), ("sent", NOW + 1, None)]),
                    NOW + 2)  # fmt: skip
    assert [(s.status, s.tone) for s in waiting] == [
        ("accepted", "good"), ("sent_upstream", "good"), ("sent", "good"),
        ("delivered", "pending"), ("read", "pending"), ("expires", "pending"),
    ]  # fmt: skip
    assert waiting[1].detail == "Meta's wamid wamid.M" and waiting[2].detail == "via MM API"
    out_of_order = steps(_detail("read", [("read", NOW + 3, None), ("sent", NOW + 4, None)]), NOW)
    assert [s.status for s in out_of_order] == ["accepted", "read", "sent"]
    failed = steps(_detail("failed", [("failed", NOW, "131049: limit")]), NOW)
    assert failed[-1].tone == "bad" and failed[-1].detail == "131049: limit"


def _webhook(field: str, value: dict[str, object]) -> bytes:
    return json.dumps({"entry": [{"changes": [{"field": field, "value": value}]}]}).encode()


def test_a_delivery_is_summed_up_in_a_few_words() -> None:
    status = _webhook("messages", {"statuses": [{"id": "wamid.A", "status": "read"}]})
    click = _webhook("messages", {"user_actions": [{}, {}]})
    terms = _webhook("account_update", {"event": "MM_LITE_TERMS_SIGNED"})
    assert deliveries.summary(status) == "status read"
    assert deliveries.wamids(status) == ["wamid.A"]
    assert deliveries.summary(click) == "2 link clicks"
    assert deliveries.summary(terms) == "account_update MM_LITE_TERMS_SIGNED"
    assert deliveries.summary(b"not json") == "unreadable payload"
    assert re.fullmatch(r"\{\n  .*\n\}", deliveries.pretty_json(b'{"a":1}'), re.S)
