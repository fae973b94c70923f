"""The webhook helper: signatures on the raw body, and tolerant parsing of every event kind.

No server: these run in the SDK-only venv too (tests/integration/sdk/test_standalone_install.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from mmgate.sdk import (
    AccountUpdateEvent,
    ClickComponent,
    ClickEvent,
    MessageStatus,
    OtherEvent,
    PricingCategory,
    StatusEvent,
    WebhookSignatureError,
    parse_webhook,
    verify_signature,
)
from mmgate.signing import sign_delivery

SECRET = "whsec-example"
NOW = 1_750_000_000
BODY = b'{"object":"whatsapp_business_account","entry":[]}'


def _signed(body: bytes = BODY, *, secret: str = SECRET, at: int = NOW) -> dict[str, str]:
    return {
        "X-Mmgate-Timestamp": str(at),
        "X-Mmgate-Signature-256": sign_delivery(secret, at, body),
    }


def _recorded(conformance_dir: Path, name: str) -> dict[str, Any]:
    scenarios: dict[str, Any] = json.loads((conformance_dir / "pywa-updates" / name).read_text())
    return scenarios


# -- signatures -------------------------------------------------------------------------


def test_a_signed_body_verifies_with_any_header_case_or_mapping() -> None:
    headers = _signed()

    verify_signature(SECRET, BODY, headers, now=NOW)
    verify_signature(SECRET, BODY, {k.lower(): v for k, v in headers.items()}, now=NOW + 299)
    verify_signature(SECRET, BODY, httpx.Headers(headers), now=NOW - 299)


@pytest.mark.parametrize(
    ("secret", "body", "headers", "reason"),
    [
        ("other-secret", BODY, _signed(), "does not match"),
        (SECRET, BODY + b" ", _signed(), "does not match"),
        (SECRET, BODY, _signed(at=NOW - 301), "tolerance"),
        (SECRET, BODY, _signed(at=NOW + 301), "tolerance"),
        (SECRET, BODY, {"X-Mmgate-Timestamp": str(NOW)}, "missing X-Mmgate-Signature-256"),
        (SECRET, BODY, {"X-Mmgate-Signature-256": "sha256=00"}, "missing X-Mmgate-Timestamp"),
        (SECRET, BODY, {**_signed(), "X-Mmgate-Timestamp": "soon"}, "not a number"),
    ],
)
def test_anything_else_is_refused_with_the_reason(
    secret: str, body: bytes, headers: dict[str, str], reason: str
) -> None:
    with pytest.raises(WebhookSignatureError, match=reason):
        verify_signature(secret, body, headers, now=NOW)


def test_a_rotated_secret_verifies_while_both_signatures_are_sent() -> None:
    header = "X-Mmgate-Signature-256"
    old, new = _signed(secret="old"), _signed(secret="new")
    both = {**new, header: f"{old[header]}, {new[header]}"}

    verify_signature("old", BODY, both, now=NOW)
    verify_signature("new", BODY, both, now=NOW)


def test_tolerance_is_configurable() -> None:
    verify_signature(SECRET, BODY, _signed(at=NOW - 3600), now=NOW, tolerance=7200)


# -- recorded payloads (pywa's test data) -----------------------------------------------


def test_every_recorded_status_parses_to_one_status_event(conformance_dir: Path) -> None:
    for name, payload in _recorded(conformance_dir, "message_status.json").items():
        events = parse_webhook(json.dumps(payload).encode())
        raw = payload["entry"][0]["changes"][0]["value"]["statuses"][0]

        assert len(events) == 1, name
        event = events[0]
        assert isinstance(event, StatusEvent), name
        assert (event.id, event.status, event.raw) == (raw["id"], raw["status"], raw), name
        assert event.timestamp == int(raw["timestamp"]), name
        assert event.recipient_id == raw["recipient_id"], name
        assert event.waba_id == payload["entry"][0]["id"], name


def test_recorded_status_details(conformance_dir: Path) -> None:
    recorded = _recorded(conformance_dir, "message_status.json")

    (sent,) = parse_webhook(recorded["sent"])
    (failed,) = parse_webhook(recorded["failed"])
    (tracked,) = parse_webhook(recorded["with_tracker"])
    assert isinstance(sent, StatusEvent)
    assert isinstance(failed, StatusEvent)
    assert isinstance(tracked, StatusEvent)

    assert sent.status is MessageStatus.SENT
    assert sent.pricing_category is PricingCategory.SERVICE and sent.route == "cloud_api"
    assert sent.conversation is not None and sent.conversation.origin_type == "service"
    assert sent.conversation.expiration_timestamp == 1698339900
    assert sent.phone_number_id == "1122334455667"
    assert failed.errors[0].code == 130472
    assert failed.errors[0].details and "experiment" in failed.errors[0].details
    assert tracked.biz_opaque_callback_data == "some data"


def test_every_recorded_account_update_parses(conformance_dir: Path) -> None:
    for name, payload in _recorded(conformance_dir, "account_update.json").items():
        (event,) = parse_webhook(payload)
        value = payload["entry"][0]["changes"][0]["value"]

        assert isinstance(event, AccountUpdateEvent), name
        assert (event.event, event.raw) == (value["event"], value), name
        assert event.time == payload["entry"][0]["time"], name


def test_mm_terms_signed_names_the_waba_and_its_owner(conformance_dir: Path) -> None:
    payload = _recorded(conformance_dir, "account_update.json")["mm_api_for_wa_terms_of_service"]

    (event,) = parse_webhook(payload)

    assert isinstance(event, AccountUpdateEvent)
    assert event.event == "MM_LITE_TERMS_SIGNED"
    assert (event.waba_id, event.owner_business_id) == ("980198427658004", "2329417887457253")
    assert event.entry_id == "2949482758682047"  # the partner's business, not the WABA


@pytest.mark.parametrize(
    "name",
    [
        "message.json",
        "system.json",
        "template_status_update.json",
        "template_category_update.json",
        "user_marketing_preferences.json",
    ],
)
def test_other_recorded_webhooks_parse_without_error(conformance_dir: Path, name: str) -> None:
    for scenario, payload in _recorded(conformance_dir, name).items():
        events = parse_webhook(json.dumps(payload))

        assert events, scenario
        assert all(isinstance(e, OtherEvent) and e.raw for e in events), scenario


# -- click events (reference §6.3; no recorded sample exists yet) -----------------------


def _click_payload(action: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "200000000000001",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550001111",
                                "phone_number_id": "300000000000001",
                            },
                            "user_actions": [action],
                        },
                    }
                ],
            }
        ],
    }


def test_a_documented_click_parses() -> None:
    action = {
        "action_type": "marketing_messages_link_click",
        "timestamp": "1755665204",
        "marketing_messages_link_click_data": {
            "click_component": "cta",
            "product_id": "sku_1",
            "click_id": "click-1",
            "tracking_token": "token-1",
        },
    }

    (event,) = parse_webhook(_click_payload(action))

    assert isinstance(event, ClickEvent)
    assert event.action_type == "marketing_messages_link_click"
    assert (event.timestamp, event.click_component) == (1755665204, ClickComponent.CTA)
    assert (event.product_id, event.click_id, event.tracking_token) == (
        "sku_1",
        "click-1",
        "token-1",
    )
    assert (event.phone_number_id, event.waba_id, event.raw) == (
        "300000000000001",
        "200000000000001",
        action,
    )


def test_click_variants_seen_in_the_wild_are_tolerated() -> None:
    uppercase = {
        "action_type": "marketing_messages_link_click",
        "timestamp": 1755665204,
        "marketing_messages_link_click_data": {"click_component": "CTA", "click_id": "c"},
        "client_user_agent": "WhatsApp/2.25",
    }
    newer = {
        "action_type": "landing_page_view",
        "timestamp": "1755665205",
        "marketing_messages_link_click_data": {"click_id": "c", "tracking_token": "t"},
    }

    (first,) = parse_webhook(_click_payload(uppercase))
    (second,) = parse_webhook(_click_payload(newer))

    assert isinstance(first, ClickEvent) and isinstance(second, ClickEvent)
    assert (first.timestamp, first.click_component) == (1755665204, ClickComponent.CTA)
    assert (second.action_type, second.click_component, second.click_id) == (
        "landing_page_view",
        None,
        "c",
    )


def test_unknown_values_are_kept_as_strings_and_unknown_fields_ignored() -> None:
    status = {
        "id": "wamid.x",
        "status": "deleted",
        "timestamp": 1755665204,
        "recipient_id": "441234567890",
        "pricing": {"category": "marketing_premium", "billable": True, "new": 1},
        "brand_new_field": {"a": 1},
    }
    payload = _click_payload({})
    payload["entry"][0]["changes"][0]["value"] = {"statuses": [status]}

    (event,) = parse_webhook(payload)

    assert isinstance(event, StatusEvent)
    assert event.status == "deleted" and not isinstance(event.status, MessageStatus)
    assert event.pricing_category == "marketing_premium"
    assert event.route == "cloud_api"
    assert event.timestamp == 1755665204
