"""An independent Cloud API client, pywa, using `mmgate emulator` as its Meta: it subscribes
its callback (Meta's hub.challenge check), sends, and parses every webhook the emulator
sends (signature checked with the app secret): statuses, the user's text reply, a
quick-reply tap and the marketing preference. Skipped where pywa is not installed (it is
not a dependency of mmgate)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.emulator.standalone import EmulatorProcess
from tests.integration.emulator.users_support import (
    create_quick_reply_template,
    marketing,
    preferences,
    user_messages,
    user_sends,
)
from tests.support import seed
from tests.support.receiver import WebhookReceiver, statuses

pywa = pytest.importorskip("pywa")
USER = "447700900543"


def _client(emulator: EmulatorProcess) -> Any:
    port = emulator.port

    class ToEmulator(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=port)
            return super().handle_request(request)

    return pywa.WhatsApp(
        phone_id=seed.PHONE_NUMBER_ID,
        token=seed.GRAPH_TOKEN,
        session=httpx.Client(transport=ToEmulator()),
        app_secret=seed.APP_SECRET,
        verify_token="unused",
    )


def test_pywa_subscribes_sends_and_parses_every_webhook(
    emulator: EmulatorProcess, receiver: WebhookReceiver, request: pytest.FixtureRequest
) -> None:
    wa = _client(emulator)
    request.addfinalizer(wa.api._session.close)
    got: list[Any] = []
    for register in (wa.on_message, wa.on_message_status, wa.on_callback_button,
                     wa.on_user_marketing_preferences):  # fmt: skip
        register()(lambda _client, update: got.append(update))
    answer = wa.api.set_waba_alternate_callback_url(
        waba_id=seed.WABA_ID, override_callback_uri=receiver.url, verify_token=receiver.verify_token
    )
    assert answer == {"success": True}
    app_token = wa.api.get_app_access_token(
        client_id=int(emulator.app_id), client_secret=seed.APP_SECRET
    )
    wa.api.set_app_callback_url(
        app_id=int(emulator.app_id), access_token=app_token["access_token"],
        callback_url=receiver.url, verify_token=receiver.verify_token,
        fields=("messages", "user_preferences"),
    )  # fmt: skip

    number = wa.get_business_phone_number()
    assert number.id == seed.PHONE_NUMBER_ID and number.display_phone_number == "15550001111"
    assert number.webhook_configuration == {
        "whatsapp_business_account": receiver.url,
        "application": receiver.url,
    }

    create_quick_reply_template(emulator.http)
    emulator.advance(1)
    english = pytest.importorskip("pywa.types.templates").TemplateLanguage.ENGLISH
    sent = wa.send_template(to=USER, name="promo_with_replies", language=english)
    emulator.advance(10)
    receiver.wait_for(lambda r: len(statuses(r)) >= 3)
    user_sends(emulator.http, USER, text="Tell me more", reply_to=sent.id).raise_for_status()
    user_sends(emulator.http, USER, quick_reply=0, reply_to=sent.id).raise_for_status()
    marketing(emulator.http, USER, "stop").raise_for_status()
    received = receiver.wait_for(lambda r: len(user_messages(r)) == 2 and bool(preferences(r)))

    for request in received:
        assert (
            wa.webhook_update_validator(request.body, request.headers["x-hub-signature-256"])
            is None
        )
        assert wa.webhook_update_handler(request.body) == ("ok", 200)
    kinds = [type(u).__name__ for u in got]
    assert kinds.count("MessageStatus") == 3
    assert {"Message", "CallbackButton", "UserMarketingPreferences"} <= set(kinds)
    message = next(u for u in got if type(u).__name__ == "Message")
    assert message.text == "Tell me more" and message.from_user.wa_id == USER
    assert message.reply_to_message.id == sent.id
    assert message.mark_as_read()  # POST /{phone}/messages {"status": "read", ...}
    assert message.indicate_typing()
    button = next(u for u in got if type(u).__name__ == "CallbackButton")
    assert button.title == "Tell me more"
