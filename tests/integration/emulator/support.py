"""Helpers for the emulator's tests: sends with a link template, click webhooks, the
sandbox API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support import seed
from tests.support.inprocess import InProcessApp
from tests.support.receiver import Received
from tests.support.server import ServerProcess

SANDBOX = {"X-Sandbox-Key": seed.SANDBOX_KEY}

# The not-onboarded WABA gets the link template too, to send it via Cloud API. The
# seed's last [[clients.wabas]] is that WABA, so appended templates land on it.
CLOUD_LINK_TEMPLATE = """
[[clients.wabas.templates]]
name = "marketing_offer_with_link"
language = "en"
category = "MARKETING"
body = "Hi {{1}}, see https://shop.example.com/terms for details."
url_button = "https://shop.example.com/offer/{{1}}"
"""


# A body link (no button) on the onboarded WABA, inserted before the second client.
BODY_LINK_TEMPLATE = """
[[clients.wabas.templates]]
name = "marketing_link_in_body"
language = "en"
category = "MARKETING"
body = "Hi {{1}}, the sale is on at https://shop.example.com/sale today."

"""
SECOND_CLIENT = '[[clients]]\nbusiness_id = "100000000000002"'


def write_seed(directory: Path) -> Path:
    assert SECOND_CLIENT in seed.SEED_TOML
    text = seed.SEED_TOML.replace(SECOND_CLIENT, BODY_LINK_TEMPLATE + SECOND_CLIENT)
    path = directory / "seed.toml"
    path.write_text(text + CLOUD_LINK_TEMPLATE)
    return path


def offer(to: str, *, sharing: bool | None = True, name: str = "Ada") -> dict[str, Any]:
    """The seed's link template: body parameter `name`, URL button suffix `A-42`."""
    body = _template_send(to, "marketing_offer_with_link", name)
    body["template"]["components"].append(
        {
            "type": "button",
            "sub_type": "url",
            "index": "0",
            "parameters": [{"type": "text", "text": "A-42"}],
        }
    )
    if sharing is not None:
        body["message_activity_sharing"] = sharing
    return body


def body_link(to: str) -> dict[str, Any]:
    return _template_send(to, "marketing_link_in_body", "Bo")


def _template_send(to: str, name: str, parameter: str) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {
            "name": name,
            "language": {"policy": "deterministic", "code": "en"},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": parameter}]}],
        },
    }


def send(server: ServerProcess, body: dict[str, Any], **kwargs: Any) -> str:
    answer = server.send(body, **kwargs)
    assert answer.status_code == 200, answer.text
    wamid: str = answer.json()["messages"][0]["id"]
    return wamid


def clicks(requests: list[Received]) -> list[dict[str, Any]]:
    """Every `user_actions` value received, with its change's field and entry id."""
    found = []
    for request in requests:
        for entry in request.json().get("entry", []):
            for change in entry.get("changes", []):
                if "user_actions" in change.get("value", {}):
                    found.append({"entry": entry, "change": change})
    return found


def click(server: ServerProcess, wamid: str, component: str | None = None) -> Any:
    body = {} if component is None else {"component": component}
    return server.http.post(f"/sandbox/messages/{wamid}/click", json=body, headers=SANDBOX)


def stats(server: ServerProcess) -> dict[str, Any]:
    answer = server.http.get("/sandbox/stats", headers=SANDBOX)
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result


# The same helpers for the app in process (tests/support/inprocess.py).


async def send_async(app: InProcessApp, body: dict[str, Any], **kwargs: Any) -> str:
    answer = await app.send(body, **kwargs)
    assert answer.status_code == 200, answer.text
    wamid: str = answer.json()["messages"][0]["id"]
    return wamid


async def click_async(app: InProcessApp, wamid: str, component: str | None = None) -> Any:
    body = {} if component is None else {"component": component}
    return await app.http.post(f"/sandbox/messages/{wamid}/click", json=body, headers=SANDBOX)


async def stats_async(app: InProcessApp) -> dict[str, Any]:
    answer = await app.http.get("/sandbox/stats", headers=SANDBOX)
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result
