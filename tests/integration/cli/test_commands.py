"""The small commands against the real server: help, send, message, sandbox, db, workspace."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import asyncpg
import pytest
from click.testing import CliRunner

from mmgate.cli.main import cli
from mmgate.storage.migrate import migration_files
from tests.integration.cli.support import mmgate
from tests.integration.sdk.gateway_db import accepted_per_recipient
from tests.integration.storage.backends import POSTGRES_URL, isolated_schema
from tests.support import seed
from tests.support.server import ServerProcess, free_port

EVERY_COMMAND = [
    "serve",
    "workspace",
    "send",
    "campaign",
    "message",
    "webhooks tail",
    "sandbox clock",
    "sandbox recipient",
    "db migrate",
]


def test_help_lists_every_command_and_each_has_help() -> None:
    listing = CliRunner().invoke(cli, ["--help"]).output

    for command in EVERY_COMMAND:
        assert f"  {command} " in listing, command
        result = CliRunner().invoke(cli, [*command.split(), "--help"])
        assert result.exit_code == 0, command
        assert "Usage: " in result.output


def test_send_prints_the_wamid_and_message_shows_it(server: ServerProcess) -> None:
    sent = mmgate(
        server,
        "send",
        "447700900301",
        "--template",
        "marketing_offer_with_link",
        "--param",
        "Ana",
        "--url-suffix",
        "ANA10",
    )

    assert sent.exit_code == 0, sent.output
    assert sent.output.startswith("accepted wamid.")
    wamid = sent.output.split()[1]
    shown = mmgate(server, "message", wamid)
    assert shown.exit_code == 0, shown.output
    assert "marketing_offer_with_link" in shown.output and "447700900301" in shown.output
    as_json = json.loads(mmgate(server, "message", wamid, "--json").output)
    assert (as_json["wamid"], as_json["route_requested"]) == (wamid, "mm_api")


def test_send_via_messages_with_an_idempotency_key_is_sent_once(server: ServerProcess) -> None:
    args = ["send", "447700900302", "-t", "marketing_text_no_param", "--via", "messages"]

    first = mmgate(server, *args, "--idempotency-key", "k-1", "--json")
    again = mmgate(server, *args, "--idempotency-key", "k-1", "--json")

    assert json.loads(first.output) == json.loads(again.output)
    assert accepted_per_recipient(server)["447700900302"] == 1
    assert mmgate(server, "message", json.loads(first.output)["messages"][0]["id"]).exit_code == 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["send", "447700900303", "-t", "no_such_template"], "Error: (#132001) Template name"),
        (["send", "447700900303", "-t", "order_update", "-p", "A1"], "Error: (#134100)"),
        (["send", "447700900303"], "Error: --template is required"),
        (["message", "wamid.nope"], "Error: (#100) Invalid parameter: No message"),
        (["sandbox", "clock", "--sandbox-key", "wrong"], "Error: A valid X-Sandbox-Key"),
        (["send", "447700900303", "-t", "x", "--api-key", "wrong"], "Error: Invalid api token."),
    ],
)
def test_errors_are_one_clear_line(server: ServerProcess, args: list[str], expected: str) -> None:
    result = mmgate(server, *args)

    assert result.exit_code in (1, 2)
    assert expected in result.output
    assert "Traceback" not in result.output
    *_, last = result.stderr.strip().splitlines()  # usage errors add a usage hint above
    assert last.startswith("Error: ") and expected in last


def test_an_unreachable_server_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            *("send", "447700900304", "-t", "x", "--api-key", "k"),
            *("--data-dir", str(tmp_path), "--base-url", f"http://127.0.0.1:{free_port()}"),
        ],
    )

    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot reach http://127.0.0.1:")
    assert len(result.output.strip().splitlines()) == 1


def test_without_a_workspace_the_missing_key_is_explained(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["send", "4477", "-t", "x", "--data-dir", str(tmp_path)])

    assert result.exit_code == 1
    assert "no api key: pass --api-key, set MMGATE_API_KEY" in result.output


def test_sandbox_clock_reads_and_advances(server: ServerProcess) -> None:
    before = json.loads(mmgate(server, "sandbox", "clock", "--json").output)["now"]

    moved = mmgate(server, "sandbox", "clock", "--advance", "1.5h")
    after = json.loads(mmgate(server, "sandbox", "clock", "--json").output)["now"]

    assert moved.exit_code == 0 and "moved 1.5 hours (5400 s)" in moved.output
    assert after == pytest.approx(before + 5400)
    bad = mmgate(server, "sandbox", "clock", "--advance", "soon")
    assert bad.exit_code == 2 and "not a duration" in bad.output


def test_sandbox_recipient_sets_and_reads_a_behaviour(server: ServerProcess) -> None:
    default = json.loads(mmgate(server, "sandbox", "recipient", "447700900003").output)
    written = mmgate(server, "sandbox", "recipient", "+447700900305", "--set", '{"reads": false}')
    read_back = json.loads(mmgate(server, "sandbox", "recipient", "447700900305").output)

    assert default["behaviour"] == {"taps_cta": True}
    assert written.exit_code == 0
    assert read_back == {"number": "447700900305", "behaviour": {"reads": False}}
    assert mmgate(server, "sandbox", "recipient", "4477", "--set", "{nope").exit_code == 2


def test_db_migrate_creates_the_schema_and_is_idempotent(tmp_path: Path) -> None:
    args = ["db", "migrate", "--data-dir", str(tmp_path / "data")]

    first = CliRunner().invoke(cli, args)
    second = CliRunner().invoke(cli, args)

    assert first.exit_code == 0 and second.exit_code == 0, first.output
    assert "is up to date" in second.output
    with closing(sqlite3.connect(tmp_path / "data" / "gateway.db")) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert {"messages", "jobs", "idempotency_keys", "schema_migrations"} <= tables


def test_db_migrate_takes_an_explicit_database_path(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere" / "mm.db"

    result = CliRunner().invoke(cli, ["db", "migrate", "--database-path", str(path)])

    assert result.exit_code == 0, result.output
    assert path.exists()


@pytest.mark.postgres
@pytest.mark.anyio
async def test_db_migrate_brings_a_postgresql_database_up_to_date() -> None:
    async with isolated_schema() as settings:
        url = f"{POSTGRES_URL}?search_path={settings['search_path']}"
        args = ["db", "migrate", "--database-url", url]

        first = await asyncio.to_thread(CliRunner().invoke, cli, args)
        second = await asyncio.to_thread(CliRunner().invoke, cli, args)

        conn = await asyncpg.connect(url)
        try:
            versions = [r[0] for r in await conn.fetch("SELECT version FROM schema_migrations")]
            tables = {r[0] for r in await conn.fetch("SELECT tablename FROM pg_tables")}
        finally:
            await conn.close()
    expected = [version for version, _ in migration_files("postgres")]
    assert first.exit_code == 0, first.output
    assert f"applied now: {', '.join(expected)}" in first.output
    assert second.exit_code == 0 and "applied now" not in second.output, second.output
    assert sorted(versions) == expected
    assert {"messages", "jobs", "idempotency_keys"} <= tables


def test_db_migrate_refuses_an_unknown_database_url(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["db", "migrate", "--database-url", "mysql://u@db/mm"])

    assert result.exit_code == 2
    assert "unsupported database URL scheme 'mysql'" in result.output


def test_workspace_prints_the_servers_credentials(server: ServerProcess) -> None:
    data = json.loads(mmgate(server, "workspace", "--json").output)

    assert (data["channel_api_key"], data["base_url"]) == (seed.CHANNEL_KEY, server.base_url)
