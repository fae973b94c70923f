"""The CLI's paper cuts a newcomer hit: typos refused, plurals, durations everywhere
seconds are asked, both routes shown, and a start that does not load everything."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from tests.integration.cli.support import mmgate
from tests.support.server import ServerProcess


def test_a_misspelt_behaviour_field_is_refused(server: ServerProcess) -> None:
    result = mmgate(server, "sandbox", "recipient", "447700900555", "--set", '{"readz": false}')
    assert result.exit_code != 0
    assert "readz" in result.output
    shown = mmgate(server, "sandbox", "recipient", "447700900555")
    assert json.loads(shown.output)["behaviour"].get("reads", True) is True  # nothing set


def test_the_clock_speaks_in_days_and_counts_properly(server: ServerProcess) -> None:
    result = mmgate(server, "sandbox", "clock", "--advance", "30d")
    assert result.exit_code == 0, result.output
    assert "moved 30 days (2592000 s);" in result.output
    pending = re.search(r"(\d+) (events?) pending", result.output)
    assert pending is not None
    assert (pending.group(1) == "1") == (pending.group(2) == "event")


def test_ttl_takes_a_duration_and_message_shows_both_routes(server: ServerProcess) -> None:
    sent = mmgate(server, "send", "447700900301", "-t", "marketing_text_no_param", "--ttl", "12h")
    assert sent.exit_code == 0, sent.output
    wamid = sent.output.split()[1]
    shown = mmgate(server, "message", wamid)
    assert "route requested mm_api, taken " in shown.output
    refused = mmgate(server, "send", "447700900301", "-t", "x", "--ttl", "12 parsecs")
    assert refused.exit_code != 0 and "not a duration" in refused.output


def test_the_command_starts_without_loading_the_server_or_http_client() -> None:
    probe = (
        "import sys; import mmgate.cli.main; "
        "print(sorted(m for m in ('httpx', 'mmgate.app', 'uvicorn', 'mmgate.sdk') "
        "if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
