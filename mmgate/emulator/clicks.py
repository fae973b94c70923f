"""A user tapping a link in a marketing message, and the click webhook Meta sends.

Rules (reference §6.3, §6.4; our reading in docs/emulator.md):
- the user can only tap what reached the phone (delivered or read);
- `cta` opens the first URL button, `body` the first link in the body;
- the visited URL carries the click id (query parameter `click_id`);
- Meta reports the click only for a message sent via MM API, within 7 days of the
  send, and not when the send set `message_activity_sharing: false`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from mmgate.domain.routing import Route
from mmgate.domain.webhooks import click_value
from mmgate.emulator.messages import SimMessage
from mmgate.emulator.rendering import render, with_click_id
from mmgate.emulator.webhook_sender import WebhookSender

CLICK_WINDOW_SECONDS = 7 * 24 * 3600.0
COMPONENTS = ("cta", "body")


class TapRefused(Exception):
    """The tap cannot happen on the phone (nothing to tap, or not on the phone yet)."""


@dataclass(frozen=True, slots=True)
class Tap:
    component: str
    url: str  # the URL the user's browser opens, with the click id
    click_id: str
    webhook: bool  # whether Meta reports it
    reason: str | None = None  # why not, when it does not


def why_unreported(message: SimMessage, now: float) -> str | None:
    """Why Meta sends no click webhook for a tap on `message`, or None if it does."""
    if message.route is not Route.MM_API:
        return "sent via Cloud API: click events exist for MM API messages only"
    if now - message.sent_at > CLICK_WINDOW_SECONDS:
        return "sent more than 7 days ago: click events cover the last 7 days only"
    if message.activity_sharing is False:
        return "the send set message_activity_sharing to false"
    return None


class Clicker:
    def __init__(self, sender: WebhookSender) -> None:
        self._sender = sender
        self.reported = 0
        # 2026 shapes (sandbox setting): the landing page opening in WhatsApp's in-app
        # browser is reported too, as `landing_page_view` with the click's ids.
        self.landing_page_views = False

    def tap(self, message: SimMessage, component: str, now: float) -> Tap:
        if component not in COMPONENTS:
            raise TapRefused(f"component must be one of {', '.join(COMPONENTS)}")
        if message.status not in ("delivered", "read"):
            raise TapRefused(f"the message is not on the phone (status {message.status})")
        url = render(message).link(component)
        if url is None:
            raise TapRefused(f"the message has no {component} link")
        click_id = secrets.token_urlsafe(18)
        message.clicks += 1
        reason = why_unreported(message, now)
        if reason is None:
            self._report(message, component, click_id, now)
        return Tap(component, with_click_id(url, click_id), click_id, reason is None, reason)

    def _report(self, message: SimMessage, component: str, click_id: str, now: float) -> None:
        if message.tracking_token is None:
            message.tracking_token = secrets.token_urlsafe(24)
        value = click_value(
            phone_number_id=message.phone.id,
            display_phone_number=message.phone.display_phone_number,
            timestamp=now,
            click_component=component,
            click_id=click_id,
            tracking_token=message.tracking_token,
        )
        # Chained on the message: the click goes out after its read status.
        self._sender.emit(message.waba_id, "messages", value, now, chain=message.meta_wamid)
        self.reported += 1
        if self.landing_page_views:
            # Not chained: Meta does not guarantee its order relative to the click.
            view = landing_page_view_value(value)
            self._sender.emit(message.waba_id, "messages", view, now)


def landing_page_view_value(click: dict[str, Any]) -> dict[str, Any]:
    """The click's webhook turned into the `landing_page_view` that follows it: the same
    data object name with only `click_id` and `tracking_token` (reference §6.3)."""
    action = click["user_actions"][0]
    data = action["marketing_messages_link_click_data"]
    return {
        **{k: v for k, v in click.items() if k != "user_actions"},
        "user_actions": [
            {
                "action_type": "landing_page_view",
                "timestamp": action["timestamp"],
                "marketing_messages_link_click_data": {
                    "click_id": data["click_id"],
                    "tracking_token": data["tracking_token"],
                },
            }
        ],
    }
