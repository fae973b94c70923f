"""Meta-shaped webhook bodies (strict: the documented shapes only).

The emulator emits them as Meta; the gateway emits the same shape for failures
it learns of itself (an upstream send Meta refused).
"""

from __future__ import annotations

from typing import Any


def status_value(
    *,
    phone_number_id: str,
    display_phone_number: str,
    wa_id: str,
    profile_name: str | None,
    status: dict[str, Any],
) -> dict[str, Any]:
    contact: dict[str, Any] = {"wa_id": wa_id}
    if profile_name is not None:
        contact = {"profile": {"name": profile_name}, "wa_id": wa_id}
    return {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": display_phone_number,
            "phone_number_id": phone_number_id,
        },
        "contacts": [contact],
        "statuses": [status],
    }


def status_object(
    *,
    meta_wamid: str,
    status: str,
    timestamp: float,
    wa_id: str,
    pricing_category: str | None,
    conversation_id: str | None,
    conversation_expires: float | None,
    callback_data: str | None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": meta_wamid,
        "status": status,
        "timestamp": str(int(timestamp)),
        "recipient_id": wa_id,
    }
    if callback_data is not None:
        body["biz_opaque_callback_data"] = callback_data
    if conversation_id is not None and pricing_category is not None:
        conversation: dict[str, Any] = {"id": conversation_id}
        if conversation_expires is not None:
            conversation["expiration_timestamp"] = str(int(conversation_expires))
        conversation["origin"] = {"type": pricing_category}
        body["conversation"] = conversation
    if pricing_category is not None:
        body["pricing"] = {
            "billable": pricing_category != "service",
            "pricing_model": "PMP",
            "type": "regular",
            "category": pricing_category,
        }
    if errors:
        body["errors"] = errors
    return body


def envelope(
    entry_id: str, field: str, values: list[dict[str, Any]], *, time: int | None = None
) -> dict[str, Any]:
    """`entry_id` is the WABA id, except for account_update (the partner's business id)."""
    entry: dict[str, Any] = {"id": entry_id}
    if time is not None:
        entry["time"] = time  # template and account events carry an integer time
    entry["changes"] = [{"value": v, "field": field} for v in values]
    return {"object": "whatsapp_business_account", "entry": [entry]}


def click_value(
    *,
    phone_number_id: str,
    display_phone_number: str,
    timestamp: float,
    click_component: str,
    click_id: str,
    tracking_token: str,
    product_id: str | None = None,
) -> dict[str, Any]:
    """A link click on an MM API message (reference §6.3), on the `messages` field.

    By Meta's design it names no wamid, no recipient and no template: the only join
    keys are `click_id` (also appended to the URL the user visits) and `tracking_token`.
    The component is lowercase (`cta` / `body`) and the timestamp a string, as in the
    status webhooks, following Meta's documentation."""
    data: dict[str, Any] = {"click_component": click_component}
    if product_id is not None:
        data["product_id"] = product_id
    data["click_id"] = click_id
    data["tracking_token"] = tracking_token
    return {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": display_phone_number,
            "phone_number_id": phone_number_id,
        },
        "user_actions": [
            {
                "action_type": "marketing_messages_link_click",
                "timestamp": str(int(timestamp)),
                "marketing_messages_link_click_data": data,
            }
        ],
    }
