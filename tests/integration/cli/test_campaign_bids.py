"""`mmgate campaign --bid-multiplier`: the multiplier reaches Meta (the emulated market
decides delivery by it) and the funnel carries a spend line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.integration.cli.support import mmgate
from tests.integration.emulator.max_price_support import create_bid_template, enrol, market
from tests.support.server import ServerProcess

INDIA = [f"9198000004{n:02d}" for n in range(3)]


def _csv(path: Path) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["to"])
        writer.writerows([n] for n in INDIA)
    return path


def test_campaign_with_a_multiplier_and_its_spend_line(
    server: ServerProcess, tmp_path: Path
) -> None:
    enrol(server)
    create_bid_template(server, "bid_promo", 1000)
    market(server, fixed={"IN": 1400})  # clears only with a multiplier of 1.4 or more
    path = _csv(tmp_path / "bids.csv")
    sent = mmgate(
        server,
        "campaign",
        str(path),
        "--template",
        "bid_promo",
        "--bid-multiplier",
        "1.5",
        "--json",
        "--wait",
        "0",
    )
    assert sent.exit_code == 0, sent.output
    server.advance(600)
    result = mmgate(server, "campaign", str(path), "--report", "--json", "--wait", "20")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["funnel"]["delivered"]["mm_api"] == 3
    assert report["spend_at_most"] == 3 * 1500 / 100_000  # three deliveries capped at 1500
    assert report["currency"] == "USD"
    table = mmgate(server, "campaign", str(path), "--report", "--wait", "0")
    assert "spend: at most USD 0.0450" in table.output
    wrong = mmgate(
        server, "campaign", str(path), "--bid-multiplier", "2", "--report", "--wait", "0"
    )
    assert wrong.exit_code != 0 and "bid_multiplier" in wrong.output  # a resumed campaign
