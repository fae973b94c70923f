"""The onboarding pages' clear answers, over HTTP (the browser tests walk the flows)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.integration.onboarding import workspace as ws
from tests.integration.onboarding.helpers import csrf_from
from tests.support.inprocess import InProcessApp

pytestmark = pytest.mark.anyio


async def _login(browser: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await browser.post(
        "/manager/login", data={"email": email, "password": password, "next": "/manager/"}
    )


async def test_partner_link_pages(onboarding_app: InProcessApp) -> None:
    http = onboarding_app.http
    unknown = await http.get("/onboard/not-a-token")
    assert unknown.status_code == 404 and "not valid" in unknown.text

    start = await http.get(f"/onboard/{ws.LINK_TOKEN}")
    assert start.status_code == 200 and "Test Partner" in start.text
    href = start.text.split('class="button" href="')[1].split('"')[0].replace("&amp;", "&")
    target = urlsplit(href)
    assert target.path == "/embedded-signup/"
    assert parse_qs(target.query)["redirect_uri"] == [f"/onboard/{ws.LINK_TOKEN}/done"]

    done = await http.get(f"/onboard/{ws.LINK_TOKEN}/done", params={"status": "signed"})
    assert "Terms accepted" in done.text and "Test Partner" in done.text
    cancelled = await http.get(f"/onboard/{ws.LINK_TOKEN}/done", params={"status": "cancelled"})
    assert "Start again" in cancelled.text
    assert (await http.get("/onboard/not-a-token/done")).status_code == 404


async def test_embedded_signup_refuses_what_it_must(onboarding_app: InProcessApp) -> None:
    async with onboarding_app.browser() as browser:
        foreign = await browser.get(
            "/embedded-signup/", params={"redirect_uri": "https://evil.example/"}
        )
        assert foreign.status_code == 400 and "not valid" in foreign.text

        wrong = await _login(browser, ws.ADMIN_EMAIL, "not the password")
        assert wrong.status_code == 401 and "Wrong email or password" in wrong.text
        assert (await _login(browser, ws.ADMIN_EMAIL, ws.ADMIN_PASSWORD)).status_code == 303

        signed = await browser.get(
            "/embedded-signup/terms",
            params={"business_id": ws.SIGNED_BUSINESS_ID, "redirect_uri": "/onboard/x/done"},
        )
        assert "Terms already accepted" in signed.text
        assert "/onboard/x/done?status=already_signed" in signed.text
        sanctioned = await browser.get(
            "/embedded-signup/terms", params={"business_id": ws.SANCTIONED_BUSINESS_ID}
        )
        assert sanctioned.status_code == 404  # not one of this person's businesses

        review = await browser.get(
            "/embedded-signup/terms", params={"business_id": ws.UNSIGNED_BUSINESS_ID}
        )
        forged = await browser.post(
            "/embedded-signup/terms",
            data={"business_id": ws.UNSIGNED_BUSINESS_ID, "csrf": "forged"},
        )
        assert forged.status_code == 403
        assert csrf_from(review.text)

    async with onboarding_app.browser() as browser:
        assert (await _login(browser, ws.EMPLOYEE_EMAIL, ws.EMPLOYEE_PASSWORD)).status_code == 303
        employee = await browser.get(
            "/embedded-signup/terms", params={"business_id": ws.UNSIGNED_BUSINESS_ID}
        )
        assert employee.status_code == 403 and "full control" in employee.text
