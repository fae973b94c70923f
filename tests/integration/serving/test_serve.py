"""`mmgate serve` says ready only when it can serve: the port is bound and the data dir
is its own; a restart on another port moves every URL; logs come after the banner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mmgate.cli.main import cli
from tests.support import seed
from tests.support.server import ServerProcess, free_port


def test_a_second_server_on_the_same_data_dir_refuses_before_saying_ready(
    server: ServerProcess,
) -> None:
    with pytest.raises(RuntimeError) as refused:
        ServerProcess(server.data_dir, None)
    assert "mmgate is ready" not in str(refused.value)
    assert "another mmgate serve" in str(refused.value)


def test_a_busy_port_is_refused_before_saying_ready(server: ServerProcess, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError) as refused:
        ServerProcess(tmp_path / "other", None, port=server.port)
    assert "mmgate is ready" not in str(refused.value)
    assert f"cannot listen on 127.0.0.1:{server.port}" in str(refused.value)


def test_workspace_says_whether_a_server_runs(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", seed.write_seed(tmp_path))
    args = ["workspace", "--data-dir", str(server.data_dir)]
    try:
        running = CliRunner().invoke(cli, args)
        assert "mmgate is ready" in running.output
    finally:
        server.stop()
    stopped = CliRunner().invoke(cli, args)
    assert "ready" not in stopped.output.replace("NOT running", "")
    assert "NOT running" in stopped.output
    as_json = CliRunner().invoke(cli, [*args, "--json"])
    assert json.loads(as_json.output)["running"] is False


def test_a_restart_on_another_port_moves_every_url(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = ServerProcess(data_dir, None)  # the demo workspace, with an onboarding link
    first.stop()
    port = free_port()
    second = ServerProcess(data_dir, None, port=port)
    try:
        assert f"http://127.0.0.1:{port}/marketing_messages" in second.banner
        assert f":{first.port}" not in second.banner
        stored = json.loads((data_dir / "workspace.json").read_text())
        urls = [v for v in stored.values() if isinstance(v, str) and v.startswith("http")]
        assert urls and all(
            u.startswith(f"http://127.0.0.1:{port}/") or u == second.base_url for u in urls
        )
        assert stored["onboarding_link"].startswith(f"http://127.0.0.1:{port}/onboard/")
        from mmgate.sdk import Client

        client = Client.from_workspace(data_dir)
        assert str(client.base_url).startswith(f"http://127.0.0.1:{port}")
    finally:
        second.stop()


def test_requests_are_logged_as_json_lines(tmp_path: Path) -> None:
    env = {"MMGATE_LOG_FORMAT": "json", "MMGATE_LOG_LEVEL": "info", "MMGATE_ACCESS_LOG": "true"}
    server = ServerProcess(tmp_path / "data", seed.write_seed(tmp_path), env=env)
    try:
        server.http.get("/healthz")
        server.http.get("/healthz")  # a second request: the first one's line is flushed
    finally:
        server.stop()
    lines = [json.loads(line) for line in server.log_lines if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert any(a["path"] == "/healthz" and a["status"] == 200 for a in access)


def test_a_bad_log_level_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError) as refused:
        ServerProcess(tmp_path / "data", None, env={"MMGATE_LOG_LEVEL": "loud"})
    assert "log level must be one of" in str(refused.value)


def test_failing_webhook_deliveries_are_logged(tmp_path: Path) -> None:
    from tests.support.receiver import WebhookReceiver

    receiver = WebhookReceiver().start()
    receiver.answer_status = 503
    server = ServerProcess(tmp_path / "data", seed.write_seed(tmp_path))
    try:
        server.set_webhook(receiver.url)
        assert server.send(seed.SEED_EXAMPLE).status_code == 200
        server.advance(60)
        receiver.wait_for_attempts(1)
        server.advance(1)  # settles the attempt, and its log line, before moving
        server.http.get("/healthz")
    finally:
        server.stop()
        receiver.stop()
    failures = [line for line in server.log_lines if "webhook delivery to" in line]
    assert failures and receiver.url in failures[0] and "HTTP 503" in failures[0]
    assert "WARNING" in failures[0]
