"""Who receives a webhook, as Meta decides it (webhooks/override):

1. the app's subscription: its callback URL and the fields it subscribed to;
2. the WABA must have the app subscribed (`/{waba_id}/subscribed_apps`);
3. for the fields that support overrides, the phone number's `webhook_configuration`
   wins over the WABA's `override_callback_uri`, which wins over the app's URL.
   Template and account-level fields always go to the app's URL.

A callback URL is only stored after it answers Meta's `hub.challenge` GET.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

from mmgate.emulator.world import WorldStore
from mmgate.errors import GraphError
from mmgate.httpclient import HttpClient, RequestFailed

# The fields Meta lets a WABA or phone-number override redirect (override.md).
OVERRIDABLE_FIELDS = frozenset(
    {
        "messages",
        "message_echoes",
        "calls",
        "consumer_profile",
        "messaging_handovers",
        "standby",
        "group_lifecycle_update",
        "group_participants_update",
        "group_settings_update",
        "group_status_update",
        "smb_message_echoes",
        "smb_app_state_sync",
        "history",
        "account_settings_update",
    }
)
MAX_CALLBACK_LENGTH = 200  # Meta's limit on override_callback_uri
VERIFY_TIME_LIMIT = 10.0


def callback_for(
    worlds: WorldStore, entry_id: str, field: str, value: dict[str, Any]
) -> str | None:
    """The URL this webhook goes to now, or None when nobody subscribed to it."""
    app = worlds.world.app
    if app is None:
        return None
    if app.webhook_fields is not None and field not in app.webhook_fields:
        return None
    waba = worlds.waba(entry_id)
    if waba is not None and not waba.app_subscribed:
        return None
    if waba is not None and field in OVERRIDABLE_FIELDS:
        found = worlds.number(_phone_number_id(value))
        if found is not None and found[0].override_callback_uri:
            return found[0].override_callback_uri
        if waba.override_callback_uri:
            return waba.override_callback_uri
    return app.webhook_url


def _phone_number_id(value: dict[str, Any]) -> str:
    metadata = value.get("metadata")
    found = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
    return found if isinstance(found, str) else ""


def check_callback_url(url: Any, name: str = "callback_url") -> str:
    if not isinstance(url, str) or not url:
        raise GraphError(100, f"The parameter {name} is required.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GraphError(100, f"{name} must be an http(s) URL.")
    if len(url) > MAX_CALLBACK_LENGTH:
        raise GraphError(100, f"{name} must be at most {MAX_CALLBACK_LENGTH} characters.")
    return url


async def verify_callback(http: HttpClient, url: str, verify_token: str) -> None:
    """Meta's check before it stores a callback: a GET that must echo `hub.challenge`."""
    challenge = str(secrets.randbelow(10**10))
    query = urlencode(
        {"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": verify_token}
    )
    target = f"{url}{'&' if '?' in url else '?'}{query}"
    try:
        response = await http.request("GET", target, time_limit=VERIFY_TIME_LIMIT)
    except RequestFailed as exc:
        raise _failed(f"could not connect ({exc})") from None
    if response.status != 200:
        raise _failed(f"HTTP Status Code = {response.status}")
    if response.text.strip() != challenge:
        raise _failed("the response did not match the hub.challenge value")


def _failed(reason: str) -> GraphError:
    return GraphError(
        2200,
        f"Callback verification failed with the following errors: {reason}",
        message=f"(#2200) Callback verification failed: {reason}",
    )
