"""A tour of the Partner Hub with a week of campaign data, photographed for the docs.

`scripts/hub-screenshots [DIR]` runs it: a real server (the test workspace), a week of
sends of every fate with the sandbox clock moved a day at a time, then each page in
Debian's Chromium, saved as DIR/hub-<page>.png (default docs/screenshots).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from playwright.sync_api import Page, sync_playwright

from tests.integration.ui import browser as chromium
from tests.integration.ui import hub_support as hs
from tests.support import seed
from tests.support.receiver import WebhookReceiver
from tests.support.server import ServerProcess

DAYS = 7
# Recipients by the fate the simulated users give them (README: test numbers).
FATES = ["0011", "0012", "0013", "0002", "0003", "0014", "0015", "0000", "0016", "0017"]


def _body(name: str, to: str, params: list[str] | None = None) -> dict[str, Any]:
    template: dict[str, Any] = {"name": name, "language": {"policy": "deterministic", "code": "en"}}
    if name == "marketing_offer_with_link":
        template["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": "Ann"}]},
            {"type": "button", "sub_type": "url", "index": "0",
             "parameters": [{"type": "text", "text": f"WEEK{to[-2:]}"}]},
        ]  # fmt: skip
    elif params:
        template["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}
        ]
    return {**seed.SEED_EXAMPLE, "to": to, "template": template}


def send_week(server: ServerProcess) -> str:
    """A week of campaigns, more each day; the wamid of one message that was read."""
    read = ""
    for day in range(DAYS):
        for i in range(6 + 3 * day):
            to = f"4477009{day:02d}{FATES[i % len(FATES)]}"
            name = "marketing_offer_with_link" if i % 3 == 0 else "marketing_text_no_param"
            answer = server.send(_body(name, to))
            if answer.status_code == 200 and to.endswith("0011") and not read:
                read = answer.json()["messages"][0]["id"]
        server.send(_body("marketing_text_no_param", f"1650555{day:04d}"))  # US: refused
        for i in range(2 + day // 2):  # a client not onboarded: its marketing goes via Cloud API
            to = f"4477008{day:02d}{FATES[i]}"
            server.send(_body("marketing_text_no_param", to), key=seed.OTHER_CHANNEL_KEY)
        server.send(_body("order_update", f"4477007{day:02d}0011", ["A-1"]), path="/messages")
        server.advance(86_400 if day < DAYS - 1 else 60)
    return read


def shoot(page: Page, base_url: str, out: Path, read_wamid: str) -> list[Path]:
    chromium.sign_in(page, base_url, hs.EMAIL, hs.PASSWORD)
    shots = [
        ("overview", "/hub/"),
        ("integration", "/hub/integration"),
        ("clients", "/hub/clients"),
        ("channels", "/hub/channels"),
        ("messages", "/hub/messages"),
        ("message", f"/hub/messages/{quote(read_wamid, safe='')}"),
        ("webhooks", "/hub/webhooks"),
        ("analytics", "/hub/analytics"),
    ]
    saved = []
    for name, path in shots:
        page.goto(base_url + path)
        saved.append(out / f"hub-{name}.png")
        page.screenshot(path=str(saved[-1]), full_page=name not in ("messages", "webhooks"))
    return saved


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    receiver = WebhookReceiver().start()
    with tempfile.TemporaryDirectory() as tmp:
        server = hs.start_two_partners(Path(tmp))
        try:
            server.set_webhook(receiver.url)
            server.set_webhook("http://127.0.0.1:9/offline", key=seed.OTHER_CHANNEL_KEY)
            read_wamid = send_week(server)
            with sync_playwright() as playwright:
                browser = chromium.launch(playwright)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                for path in shoot(page, server.base_url, out, read_wamid):
                    print(path)
                browser.close()
        finally:
            server.stop()
            receiver.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots"))
