"""The worked example of docs/max-price.md, run for real and photographed.

`scripts/spend-screenshot [DIR]` runs it: a real server (the test workspace with a
known Solution Partner business), the business enrolled in max price, a template with
a max price, a week of campaigns with two multipliers to India and Brazil in the
seeded market (sent at 06:00 and 15:00 UTC), Cloud API sends for a client that is not
onboarded, the sandbox clock moved a day at a time; then the Hub's Spend page with a
reach estimate in Debian's Chromium, saved as DIR/hub-spend.png, and the numbers the
page shows printed for the docs.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from tests.integration.emulator.max_price_support import (
    create_bid_template,
    enrol,
    graph,
    write_seed,
)
from tests.integration.ui import browser as chromium
from tests.integration.ui import hub_support as hs
from tests.support import seed
from tests.support.server import ServerProcess

DAYS = 7
HOUR = 3600.0


def _send(server: ServerProcess, to: str, multiplier: float) -> None:
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {"name": "spring_sale", "language": {"code": "en"}},
        "bid_spec": {"per_message_bid_multiplier": multiplier},
    }
    server.send(body)


def _cloud(server: ServerProcess, to: str) -> None:
    body = {
        "messaging_product": "whatsapp",
        "to": to,
        "type": "template",
        "template": {"name": "marketing_text_no_param", "language": {"code": "en"}},
    }
    server.send(body, key=seed.OTHER_CHANNEL_KEY, path="/messages")


def _at_hour(server: ServerProcess, hour: int) -> None:
    now = server.advance(0)
    wait = (hour * HOUR - now % 86_400) % 86_400
    server.advance(wait)


def run_week(server: ServerProcess) -> None:
    enrol(server)
    create_bid_template(server, "spring_sale", 1000)  # at most $0.01 a delivery
    for day in range(DAYS):
        for hour in (6, 15):
            _at_hour(server, hour)
            for i in range(4 + day):
                # India: the bid as is, or 0.8 of it; Brazil's market is dearer: 6 times it.
                _send(server, f"91980{day:02d}{hour:02d}{i:03d}", 0.8 if i % 2 else 1.0)
                _send(server, f"55119{day:02d}{hour:02d}{i:03d}", 6.0)
            _cloud(server, f"4915{day:02d}{hour:02d}0011")
    server.advance(2 * 86_400)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "data", write_seed(Path(tmp)))
        try:
            added = hs.add_hub_user(server, seed.PARTNER_ID, hs.EMAIL, hs.PASSWORD)
            assert added.returncode == 0, added.stderr
            run_week(server)
            spend = server.http.get(
                f"/api/v2/partners/{seed.PARTNER_ID}/spend",
                params={"days": "10"},
                headers={"X-API-Key": seed.PARTNER_KEY},
            ).json()["data"]
            print(json.dumps(spend, indent=1))
            spec = '{"geo_locations":{"countries":["IN"]}}'
            reach = graph(
                server,
                "GET",
                f"/{seed.WABA_ID}/reachestimate",
                params={"targeting_spec": spec, "date_interval": "L7D"},
            )
            print(json.dumps(reach.json(), indent=1))
            with sync_playwright() as playwright:
                browser = chromium.launch(playwright)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                path = "/hub/spend?days=30&country=IN&interval=L7D&waba=" + seed.WABA_ID
                chromium.sign_in(page, server.base_url, hs.EMAIL, hs.PASSWORD, path)
                page.screenshot(path=str(out / "hub-spend.png"), full_page=True)
                print(out / "hub-spend.png")
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots"))
