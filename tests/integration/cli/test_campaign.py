"""`mmgate campaign` against the real server: every row accepted exactly once, even across
an interruption, with the funnel read back from the gateway."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import Any

from mmgate.cli.campaign.pacer import Pacer
from mmgate.cli.campaign.plan import CampaignSpec, message_for, read_rows
from mmgate.sdk import Client
from tests.integration.cli.support import MmgateProcess, mmgate
from tests.integration.sdk.conftest import FAST_RETRY
from tests.integration.sdk.gateway_db import accepted_per_recipient
from tests.support.server import ServerProcess

TEMPLATE = "marketing_offer_with_link"
# Happy-path numbers; 447700900000 is "not on WhatsApp" (fails 131026 after acceptance).
HAPPY = [f"4477009{n:05d}" for n in range(11, 23)]
NOT_ON_WHATSAPP = "447700900000"


def _csv(path: Path, numbers: list[str], *extra_rows: list[str]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["to", "param1", "url_suffix", "crm_id"])
        for i, number in enumerate(numbers):
            writer.writerow([number, f"Customer {i}", f"C{i}", f"crm-{i}"])
        writer.writerows(extra_rows)
    return path


def _state(csv_path: Path) -> list[dict[str, Any]]:
    state_path = csv_path.with_name(csv_path.name + ".state.jsonl")
    return [json.loads(line) for line in state_path.read_text().splitlines()]


def _campaign(server: ServerProcess, csv_path: Path, *args: str) -> dict[str, Any]:
    result = mmgate(server, "campaign", str(csv_path), "--json", "--rate", "200", *args)
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_every_row_is_accepted_once_and_refused_rows_are_recorded(
    server: ServerProcess, tmp_path: Path
) -> None:
    path = _csv(tmp_path / "spring.csv", [*HAPPY, NOT_ON_WHATSAPP], ["not-a-number", "X", "X", ""])

    report = _campaign(server, path, "--template", TEMPLATE, "--wait", "0")

    assert (report["rows"], report["accepted"], report["rejected"]) == (14, 13, 1)
    assert report["not_sent"] == 0
    counts = accepted_per_recipient(server)
    assert [counts[n] for n in [*HAPPY, NOT_ON_WHATSAPP]] == [1] * 13
    final = {r["row"]: r for r in _state(path)[1:]}
    assert all(final[n]["wamid"].startswith("wamid.") for n in range(1, 14))
    assert final[14]["error"]["code"] == 100


def test_the_funnel_follows_statuses_by_route(server: ServerProcess, tmp_path: Path) -> None:
    path = _csv(tmp_path / "funnel.csv", [*HAPPY[:5], NOT_ON_WHATSAPP])
    _campaign(server, path, "--template", TEMPLATE, "--wait", "0")

    server.advance(60)
    report = _campaign(server, path, "--report", "--wait", "20")
    funnel = report["funnel"]

    assert report["settled"] == 6
    assert funnel["accepted"]["total"] == 6
    assert (funnel["sent"]["total"], funnel["delivered"]["total"]) == (5, 5)
    assert funnel["read"]["total"] == 5
    assert funnel["read"]["mm_api"] + funnel["read"]["cloud_api"] == 5  # route is known
    assert funnel["failed"]["total"] == 1
    assert funnel["expired"]["total"] == 0
    assert funnel["clicked"] is None  # Meta's click webhooks name no message


def test_the_funnel_table_is_printed_for_people(server: ServerProcess, tmp_path: Path) -> None:
    path = _csv(tmp_path / "table.csv", HAPPY[:2])

    result = mmgate(server, "campaign", str(path), "-t", TEMPLATE, "--wait", "0")

    assert result.exit_code == 0, result.output
    for word in ("accepted", "sent", "delivered", "read", "clicked", "failed", "expired"):
        assert word in result.stdout
    assert "MM API" in result.stdout and "Cloud API" in result.stdout
    assert "clicked n/a: Meta's click webhooks name no message" in result.stdout
    assert "2 rows: 2 accepted" in result.stdout


def test_an_interrupted_campaign_resumes_without_sending_twice(
    server: ServerProcess, tmp_path: Path
) -> None:
    numbers = [f"4477009{n:05d}" for n in range(31, 61)]
    path = _csv(tmp_path / "big.csv", numbers)

    # --stop-after makes the process SIGINT itself after 8 acceptances: a real Ctrl-C.
    first = MmgateProcess(
        # 20/s: the interrupt lands long before the 30th row, even on a loaded machine.
        *("campaign", str(path), "-t", TEMPLATE, "--rate", "20", "--wait", "0"),
        *("--stop-after", "8", "--data-dir", str(server.data_dir)),
    )
    assert first.finish() == 130
    assert any("Interrupted: " in line for line in first.lines), first.lines
    sent_before = sum(accepted_per_recipient(server)[n] for n in numbers)
    assert 8 <= sent_before < len(numbers)

    resumed = mmgate(server, "campaign", str(path), "--json", "--rate", "100", "--wait", "0")

    assert resumed.exit_code == 0, resumed.output
    assert "Resuming campaign" in resumed.stderr
    assert json.loads(resumed.stdout)["accepted"] == len(numbers)
    counts = accepted_per_recipient(server)
    assert [counts[n] for n in numbers] == [1] * len(numbers)


def test_a_row_in_doubt_is_resent_with_its_recorded_key(
    server: ServerProcess, tmp_path: Path
) -> None:
    path = _csv(tmp_path / "doubt.csv", HAPPY[:8])
    first = MmgateProcess(
        *("campaign", str(path), "-t", TEMPLATE, "--rate", "10", "--wait", "0"),
        *("--stop-after", "1", "--data-dir", str(server.data_dir)),
    )
    assert first.finish() == 130
    # A row the first run never reached plays one that was sent and reached the gateway,
    # but whose answer was lost with the process: only its key is in the state file.
    touched = {r["row"] for r in _state(path)[1:]}
    row = next(r for r in reversed(read_rows(path)) if r.number not in touched)
    spec = CampaignSpec.from_options(TEMPLATE, None, None, None, None)
    state_path = path.with_name(path.name + ".state.jsonl")
    with state_path.open("a") as state:
        state.write(json.dumps({"row": row.number, "to": row.to, "key": "in-doubt-key"}) + "\n")
    with Client.from_workspace(server.data_dir, retry=FAST_RETRY) as client:
        lost = client.send_marketing_message(message_for(spec, row), idempotency_key="in-doubt-key")

    report = _campaign(server, path, "--wait", "0")

    assert report["accepted"] == 8
    final = {r["row"]: r for r in _state(path)[1:]}
    assert (final[row.number]["key"], final[row.number]["wamid"]) == ("in-doubt-key", lost.wamid)
    counts = accepted_per_recipient(server)
    assert [counts[n] for n in HAPPY[:8]] == [1] * 8


def test_a_csv_changed_under_a_started_campaign_is_refused(
    server: ServerProcess, tmp_path: Path
) -> None:
    path = _csv(tmp_path / "changing.csv", HAPPY[:3])
    _campaign(server, path, "--template", TEMPLATE, "--wait", "0")
    _csv(path, [HAPPY[0], "447700900999", HAPPY[2]])

    result = mmgate(server, "campaign", str(path), "--wait", "0")

    assert result.exit_code == 1
    assert "the CSV changed since this campaign started: row 2" in result.output
    assert accepted_per_recipient(server)["447700900999"] == 0


def test_a_refusal_every_row_would_share_halts_without_marking_rows(
    server: ServerProcess, tmp_path: Path
) -> None:
    path = _csv(tmp_path / "typo.csv", HAPPY[:5])

    result = mmgate(server, "campaign", str(path), "-t", "marketing_ofer_with_link")

    assert result.exit_code == 1
    assert "Error: stopped: (#132001)" in result.output
    assert "run the same command to resume" in result.output
    assert not any("error" in r or "wamid" in r for r in _state(path)[1:])


def test_options_that_differ_from_the_started_campaign_are_refused(
    server: ServerProcess, tmp_path: Path
) -> None:
    path = _csv(tmp_path / "same.csv", HAPPY[:1])
    _campaign(server, path, "--template", TEMPLATE, "--wait", "0")

    result = mmgate(server, "campaign", str(path), "-t", "marketing_text_no_param")

    assert result.exit_code == 1
    assert f"template={TEMPLATE!r}, not 'marketing_text_no_param'" in result.output


def test_sending_is_throttled_to_the_rate(server: ServerProcess, tmp_path: Path) -> None:
    path = _csv(tmp_path / "paced.csv", HAPPY[:11])
    started = time.monotonic()

    result = mmgate(server, "campaign", str(path), "-t", TEMPLATE, "--rate", "20", "--wait", "0")

    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 10 / 20  # 11 sends, one every 50 ms


def test_the_pacer_spaces_sends_evenly_without_bursts() -> None:
    now = [100.0]
    pacer = Pacer(rate=4, clock=lambda: now[0])

    delays = [pacer.delay() for _ in range(4)]
    now[0] += 10  # idle for a while: the next send may go at once, but still no burst
    later = [pacer.delay() for _ in range(2)]

    assert delays == [0.0, 0.25, 0.5, 0.75]
    assert later == [0.0, 0.25]


def test_the_pacer_makes_up_for_a_sleep_that_overshot() -> None:
    now = [0.0]
    pacer = Pacer(rate=4, clock=lambda: now[0])

    assert pacer.delay() == 0.0
    now[0] = 0.3  # woke 50 ms after the next slot (0.25)
    assert pacer.delay() == 0.0
    assert pacer.delay() == 0.2  # the slot at 0.5, not 0.55: the average rate holds


def test_via_messages_sends_through_the_plain_entry_point(
    server: ServerProcess, tmp_path: Path
) -> None:
    path = _csv(tmp_path / "plain.csv", HAPPY[:2])

    _campaign(server, path, "-t", TEMPLATE, "--via", "messages", "--wait", "0")

    with Client.from_workspace(server.data_dir, retry=FAST_RETRY) as client:
        infos = [client.get_message(r["wamid"]) for r in _state(path)[1:] if "wamid" in r]
    assert [info.entry_point for info in infos] == ["messages", "messages"]
