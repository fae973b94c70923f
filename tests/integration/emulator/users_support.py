"""Helpers for the tests of users who write back: their webhooks and the sandbox API."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support import seed
from tests.support.receiver import Received

SANDBOX = {"X-Sandbox-Key": seed.SANDBOX_KEY}
QUICK_REPLY_TEMPLATE = {
    "name": "promo_with_replies",
    "language": "en",
    "category": "MARKETING",
    "components": [
        {"type": "BODY", "text": "Spring sale: 20% off everything."},
        {
            "type": "BUTTONS",
            "buttons": [
                {"type": "QUICK_REPLY", "text": "Tell me more"},
                {"type": "QUICK_REPLY", "text": "Stop promotions"},
            ],
        },
    ],
}


def values(requests: list[Received], field: str, key: str) -> list[dict[str, Any]]:
    """Every change value of `field` that carries `key`, in arrival order."""
    found = []
    for request in requests:
        for entry in request.json().get("entry", []):
            for change in entry.get("changes", []):
                if change.get("field") == field and key in change.get("value", {}):
                    found.append(change["value"])
    return found


def user_messages(requests: list[Received]) -> list[dict[str, Any]]:
    return [m for v in values(requests, "messages", "messages") for m in v["messages"]]


def preferences(requests: list[Received]) -> list[dict[str, Any]]:
    found = values(requests, "user_preferences", "user_preferences")
    return [p for v in found for p in v["user_preferences"]]


def user_sends(http: httpx.Client, number: str, **action: Any) -> httpx.Response:
    return http.post(f"/sandbox/users/{number}/messages", json=action, headers=SANDBOX)


def marketing(http: httpx.Client, number: str, value: str, **extra: str) -> httpx.Response:
    body = {"value": value, **extra}
    return http.post(f"/sandbox/users/{number}/marketing", json=body, headers=SANDBOX)


def create_quick_reply_template(http: httpx.Client, graph_prefix: str = "/graph/v23.0") -> None:
    answer = http.post(
        f"{graph_prefix}/{seed.WABA_ID}/message_templates",
        json=QUICK_REPLY_TEMPLATE,
        headers={"Authorization": f"Bearer {seed.GRAPH_TOKEN}"},
    )
    assert answer.status_code == 200, answer.text


def quick_reply_send(to: str, payload: str | None = None) -> dict[str, Any]:
    template: dict[str, Any] = {"name": "promo_with_replies", "language": {"code": "en"}}
    if payload is not None:
        template["components"] = [
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": "0",
                "parameters": [{"type": "payload", "payload": payload}],
            }
        ]
    return {"messaging_product": "whatsapp", "to": to, "type": "template", "template": template}


def text_send(to: str, body: str = "Thanks for writing!") -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}}


# The same for the app in process (tests/support/inprocess.py).


async def user_sends_async(http: httpx.AsyncClient, number: str, **action: Any) -> httpx.Response:
    return await http.post(f"/sandbox/users/{number}/messages", json=action, headers=SANDBOX)


async def marketing_async(
    http: httpx.AsyncClient, number: str, value: str, **extra: str
) -> httpx.Response:
    body = {"value": value, **extra}
    return await http.post(f"/sandbox/users/{number}/marketing", json=body, headers=SANDBOX)
