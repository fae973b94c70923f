"""A real delivery from the server verifies and parses with the SDK's webhook helper
(the helper's own rules: test_webhook_parsing.py)."""

from __future__ import annotations

from mmgate.sdk import Client, StatusEvent, parse_webhook, verify_signature
from tests.support import seed
from tests.support.receiver import WebhookReceiver, statuses


def test_a_real_delivery_verifies_and_parses(client: Client, receiver: WebhookReceiver) -> None:
    client.set_webhook(receiver.url)
    sent = client.send_marketing_message(seed.SEED_EXAMPLE)
    client.sandbox_clock(advance_seconds=60)
    receiver.wait_for(
        lambda got: any(s["id"] == sent.wamid and s["status"] == "read" for s in statuses(got))
    )
    now = client.sandbox_clock().now  # the receiver's clock agrees with the server's

    events: list[StatusEvent] = []
    for request in receiver.succeeded():
        verify_signature(seed.PARTNER_SECRET, request.body, request.headers, now=now)
        events += [e for e in parse_webhook(request.body) if isinstance(e, StatusEvent)]

    mine = [e for e in events if e.id == sent.wamid]
    assert [e.status for e in mine] == ["sent", "delivered", "read"]
    assert mine[0].route in ("mm_api", "cloud_api")
    assert mine[0].recipient_id == "441234567890"
