"""A workspace for onboarding tests: one client already onboarded, one that has not
signed (eligible and ineligible WABAs, its own channel), one in a sanctioned country,
and the Meta users who log in to accept (or fail to)."""

from __future__ import annotations

from pathlib import Path

from tests.support import seed

LINK_TOKEN = "link-token-test-0000"
PROVIDER_BUSINESS_ID = "900000000000001"
SETUP_DELAY = 300.0

SIGNED_BUSINESS_ID = seed.BUSINESS_ID
SIGNED_WABA_ID = seed.WABA_ID

UNSIGNED_BUSINESS_ID = "100000000000002"
ELIGIBLE_WABA_ID = seed.OTHER_WABA_ID
ELIGIBLE_PHONE_NUMBER_ID = seed.OTHER_PHONE_NUMBER_ID
ELIGIBLE_CHANNEL_KEY = seed.OTHER_CHANNEL_KEY
# Ineligible WABAs of the unsigned business, by the status each must show.
INELIGIBLE_WABAS = {
    "200000000000003": (
        "INELIGIBLE_INACTIVE_OR_RESTRICTED",
        "Fresh Market Outlet",
        "restricted = true",
    ),
    "200000000000004": (
        "INELIGIBLE_COUNTRY_NOT_SUPPORTED",
        "Fresh Market Caracas",
        'tax_country = "VE"',
    ),
    "200000000000005": (
        "INELIGIBLE_ON_BEHALF_OF_WABA",
        "Fresh Market (agency-owned)",
        "on_behalf_of = true",
    ),
    "200000000000006": (
        "INELIGIBLE_USING_WHATSAPP_BUSINESS_APP",
        "Fresh Market Kiosk",
        "uses_whatsapp_business_app = true",
    ),
}
SANCTIONED_BUSINESS_ID = "100000000000003"
SANCTIONED_WABA_ID = "200000000000007"

ADMIN_EMAIL, ADMIN_PASSWORD = "alex@fresh-market.example", "alex-password-1"
EMPLOYEE_EMAIL, EMPLOYEE_PASSWORD = "sam@fresh-market.example", "sam-password-1"
PARTNER_EMAIL, PARTNER_PASSWORD = "pat@test-partner.example", "pat-password-1"

_INELIGIBLE = "".join(
    f"""
[[clients.wabas]]
id = "{waba_id}"
name = "{name}"
{fact}
"""
    for waba_id, (_, name, fact) in INELIGIBLE_WABAS.items()
)

ONBOARDING_TOML = (
    seed.SEED_TOML.replace(
        'webhook_secret = "whsec-test-0000000000"',
        f'webhook_secret = "whsec-test-0000000000"\nonboarding_token = "{LINK_TOKEN}"',
    )
    .replace(
        'verify_token = "verify-token-test"',
        f'verify_token = "verify-token-test"\n'
        f'solution_provider_business_id = "{PROVIDER_BUSINESS_ID}"\n'
        f"mm_setup_delay_seconds = {SETUP_DELAY}",
    )
    .replace('name = "Not Onboarded Ltd"', 'name = "Fresh Market GmbH"\ncountry = "DE"')
    .replace('name = "Not Onboarded WABA"', 'name = "Fresh Market"')
    + _INELIGIBLE
    + f"""
[[clients]]
business_id = "{SANCTIONED_BUSINESS_ID}"
name = "Sanctioned Trading"
mm_terms_signed = false

[[clients.wabas]]
id = "{SANCTIONED_WABA_ID}"
name = "Sanctioned WABA"
tax_country = "CU"

[[meta_users]]
email = "{ADMIN_EMAIL}"
password = "{ADMIN_PASSWORD}"
name = "Alex Admin"
admin_of = ["{UNSIGNED_BUSINESS_ID}", "{SIGNED_BUSINESS_ID}"]

[[meta_users]]
email = "{EMPLOYEE_EMAIL}"
password = "{EMPLOYEE_PASSWORD}"
name = "Sam Employee"
employee_of = ["{UNSIGNED_BUSINESS_ID}"]

[[meta_users]]
email = "{PARTNER_EMAIL}"
password = "{PARTNER_PASSWORD}"
name = "Pat Partner"
admin_of = ["{PROVIDER_BUSINESS_ID}"]
"""
)


def write(directory: Path) -> Path:
    path = directory / "onboarding.toml"
    path.write_text(ONBOARDING_TOML)
    return path
