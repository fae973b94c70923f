"""The SDK installs alone (`pip install ./sdk`) into a fresh venv and works there.

The venv has httpx and msgspec and nothing of the server (no starlette, uvicorn, aiohttp, jinja2,
click): importing the SDK, reading a workspace file, parsing a signed webhook and mapping an error
answer must all work there. The SDK's own unit tests then run inside that venv too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

USE_THE_SDK = r"""
import importlib.util, json, sys, tempfile, time
from pathlib import Path

import httpx
import mmgate.sdk
from mmgate.sdk import (
    Client, StatusEvent, TemplateNotFound, TemplateMessage, parse_webhook, verify_signature,
)
from mmgate.signing import sign_delivery

assert mmgate.sdk.__file__.startswith(sys.prefix), mmgate.sdk.__file__  # the installed copy
for server_part in ("starlette", "uvicorn", "aiohttp", "jinja2", "click"):
    assert importlib.util.find_spec(server_part) is None, server_part
for server_module in ("mmgate.app", "mmgate.gateway", "mmgate.workspace", "mmgate.emulator"):
    assert importlib.util.find_spec(server_module) is None, server_module

data_dir = Path(tempfile.mkdtemp())
(data_dir / "workspace.json").write_text(json.dumps(
    {"channel_api_key": "k1", "base_url": "http://mmgate.test", "webhook_secret": "s"}
))

def answer(request: httpx.Request) -> httpx.Response:
    assert request.headers["d360-api-key"] == "k1"
    return httpx.Response(404, json={"detail": {"error": {
        "message": "(#132001) Template name does not exist in the translation",
        "type": "OAuthException", "code": 132001,
        "error_data": {"messaging_product": "whatsapp", "details": "no such template"},
    }}})

http = httpx.Client(transport=httpx.MockTransport(answer))
with Client.from_workspace(data_dir, http=http) as client:
    assert client.base_url == "http://mmgate.test"
    try:
        client.send_marketing_message(TemplateMessage.build("441234567890", "nope"))
    except TemplateNotFound as exc:
        assert exc.code == 132001 and exc.details == "no such template"
    else:
        raise AssertionError("the 404 was not raised as TemplateNotFound")

body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
    "field": "messages", "value": {"messaging_product": "whatsapp",
    "metadata": {"display_phone_number": "1", "phone_number_id": "2"},
    "statuses": [{"id": "wamid.X", "status": "delivered", "timestamp": "1",
                  "recipient_id": "441234567890"}]}}]}]}).encode()
now = int(time.time())
headers = {"X-Mmgate-Timestamp": str(now), "X-Mmgate-Signature-256": sign_delivery("s", now, body)}
verify_signature("s", body, headers)
events = parse_webhook(body)
assert isinstance(events[0], StatusEvent) and events[0].id == "wamid.X", events
print("sdk ok")
"""

# The SDK's tests that need no server: they run inside the SDK-only venv as they are.
SERVERLESS_TESTS = [
    "tests/unit/sdk/test_public_surface.py",
    "tests/unit/sdk/test_webhook_parsing.py",
]
# What they read besides the SDK: Meta's recorded payloads, through the `conformance_dir` fixture.
CONFTEST = """
from pathlib import Path

import pytest


@pytest.fixture
def conformance_dir() -> Path:
    return Path(__file__).parent / "fixtures" / "conformance"
"""


def run(*command: str | Path, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=cwd,
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def sdk_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("sdk-venv")
    venv.create(home / "venv", with_pip=True)
    python = home / "venv" / "bin" / "python"
    # The build writes into sdk/build; copy the sources so the checkout stays clean.
    source = home / "src"
    shutil.copytree(
        ROOT / "mmgate", source / "mmgate", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(
        ROOT / "sdk", source / "sdk", ignore=shutil.ignore_patterns("build", "*.egg-info")
    )
    run(
        python,
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
        source / "sdk",
        "pytest",
    )
    return python


def test_the_sdk_installs_and_works_without_the_server(sdk_venv: Path, tmp_path: Path) -> None:
    script = tmp_path / "use_the_sdk.py"
    script.write_text(USE_THE_SDK)
    assert run(sdk_venv, "-I", script, cwd=tmp_path).strip() == "sdk ok"


def test_the_sdk_unit_tests_pass_in_the_sdk_only_venv(sdk_venv: Path, tmp_path: Path) -> None:
    # Outside the checkout, so `mmgate` is the installed SDK and not the repository's tree.
    for test in SERVERLESS_TESTS:
        (tmp_path / test).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / test, tmp_path / test)
    shutil.copytree(ROOT / "tests" / "fixtures", tmp_path / "fixtures")
    (tmp_path / "conftest.py").write_text(CONFTEST)
    output = run(
        sdk_venv,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-W",
        "error",
        "--rootdir",
        tmp_path,
        *SERVERLESS_TESTS,
        cwd=tmp_path,
    )
    passed = re.search(r"(\d+) passed", output)
    assert passed is not None and int(passed.group(1)) >= 15, output  # every serverless test
    assert "failed" not in output and "error" not in output and "skipped" not in output
