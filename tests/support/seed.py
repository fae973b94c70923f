"""A workspace with fixed ids and keys, for tests."""

from __future__ import annotations

from pathlib import Path

PARTNER_ID = "pt_test"
PARTNER_KEY = "partner-key-test-00000000000000000"
PARTNER_SECRET = "whsec-test-0000000000"
GRAPH_TOKEN = "EAAG-test-token-000000000000"
APP_SECRET = "app-secret-test-0000"
VERIFY_TOKEN = "verify-token-test"
SANDBOX_KEY = "sandbox-key-test-000000000000000"

BUSINESS_ID = "100000000000001"
WABA_ID = "200000000000001"
PHONE_NUMBER_ID = "300000000000001"
CHANNEL_KEY = "channel-key-test-00000000000000000"

# A second client that has NOT signed the MM terms (its sends fall back to Cloud API).
OTHER_WABA_ID = "200000000000002"
OTHER_PHONE_NUMBER_ID = "300000000000002"
OTHER_CHANNEL_KEY = "channel-key-other-0000000000000000"

SEED_TOML = f"""
[partner]
id = "{PARTNER_ID}"
name = "Test Partner"
api_key = "{PARTNER_KEY}"
webhook_secret = "{PARTNER_SECRET}"

[meta]
graph_token = "{GRAPH_TOKEN}"
app_secret = "{APP_SECRET}"
verify_token = "{VERIFY_TOKEN}"

[sandbox]
key = "{SANDBOX_KEY}"

[[clients]]
business_id = "{BUSINESS_ID}"
name = "Test Shop"
mm_terms_signed = true

[[clients.wabas]]
id = "{WABA_ID}"
name = "Test Shop WABA"

[[clients.wabas.channels]]
phone_number_id = "{PHONE_NUMBER_ID}"
display_phone_number = "15550001111"
api_key = "{CHANNEL_KEY}"

[[clients.wabas.templates]]
name = "marketing_text_no_param"
language = "en"
category = "MARKETING"
body = "Our summer sale is on."

[[clients.wabas.templates]]
name = "marketing_offer_with_link"
language = "en"
category = "MARKETING"
body = "Hi {{{{1}}}}, your offer is waiting."
url_button = "https://shop.example.com/offer/{{{{1}}}}"

[[clients.wabas.templates]]
name = "order_update"
language = "en"
category = "UTILITY"
body = "Your order {{{{1}}}} has shipped."

[[clients.wabas.templates]]
name = "short_ttl_promo"
language = "en"
category = "MARKETING"
body = "Flash sale, today only."
message_send_ttl_seconds = 43200

[[clients]]
business_id = "100000000000002"
name = "Not Onboarded Ltd"
mm_terms_signed = false

[[clients.wabas]]
id = "{OTHER_WABA_ID}"
name = "Not Onboarded WABA"

[[clients.wabas.channels]]
phone_number_id = "{OTHER_PHONE_NUMBER_ID}"
display_phone_number = "15550002222"
api_key = "{OTHER_CHANNEL_KEY}"

[[clients.wabas.templates]]
name = "marketing_text_no_param"
language = "en"
category = "MARKETING"
body = "Our summer sale is on."
"""

SEED_EXAMPLE = {
    "messaging_product": "whatsapp",
    "recipient_type": "individual",
    "to": "441234567890",
    "type": "template",
    "template": {
        "name": "marketing_text_no_param",
        "language": {"policy": "deterministic", "code": "en"},
    },
    "message_activity_sharing": True,
}


def write_seed(directory: Path) -> Path:
    path = directory / "seed.toml"
    path.write_text(SEED_TOML)
    return path
