"""What the expiry sweep tells the client about a message whose TTL ended undelivered."""

from __future__ import annotations

import msgspec

from mmgate.clock import SandboxClock
from mmgate.delivery.expiry import IN_DOUBT_CODE, ExpirySweep
from mmgate.domain import lifecycle
from mmgate.storage.port import Overdue

ENDED = 1_700_000_000.0


def _overdue(status: str) -> Overdue:
    payload = msgspec.json.encode({"to": "441234567890", "biz_opaque_callback_data": "c-7"})
    return Overdue("wamid.A", status, "441234567890", "300001", "+44 20", "200001", payload, ENDED)


def _sweep(report: bool) -> ExpirySweep:
    clock = SandboxClock(frozen_at=ENDED + 86_400)
    return ExpirySweep(None, clock, report_expired_as_failed=report, on_relayed=lambda: None)  # type: ignore[arg-type]


def _failed(body: bytes | None) -> dict[str, object]:
    assert body is not None
    value = msgspec.json.decode(body)["entry"][0]["changes"][0]["value"]
    (status,) = value["statuses"]
    assert status["status"] == "failed" and status["id"] == "wamid.A"
    assert status["biz_opaque_callback_data"] == "c-7"
    assert status["timestamp"] == str(int(ENDED))  # when the TTL ended, not the sweep
    result: dict[str, object] = status["errors"][0]
    return result


def test_a_send_left_in_doubt_is_always_reported_failed() -> None:
    for report in (False, True):
        error = _failed(_sweep(report).relay_for(_overdue(lifecycle.UNKNOWN)))
        assert error["code"] == IN_DOUBT_CODE


def test_other_expiries_are_silent_unless_reporting_is_on() -> None:
    for status in (lifecycle.ACCEPTED, lifecycle.SENT_UPSTREAM, lifecycle.SENT):
        assert _sweep(False).relay_for(_overdue(status)) is None
        assert _failed(_sweep(True).relay_for(_overdue(status)))["code"] == 1360002
