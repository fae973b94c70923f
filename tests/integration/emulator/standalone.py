"""`mmgate emulator` in a child process on an ephemeral port, with the test seed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.support import seed
from tests.support.child import Child
from tests.support.server import free_port

SANDBOX = {"X-Sandbox-Key": seed.SANDBOX_KEY}
BEARER = {"Authorization": f"Bearer {seed.GRAPH_TOKEN}"}


class EmulatorProcess:
    def __init__(self, data_dir: Path, seed_path: Path, *extra: str) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, "-m", "mmgate.cli.main", "emulator", "--port", str(self.port)]
        args += ["--data-dir", str(data_dir), "--seed", str(seed_path), "--clock", "frozen"]
        self._child = Child([*args, *extra], "subscribe a callback")
        self.banner = self._child.banner
        self.credentials: dict[str, Any] = json.loads(
            (data_dir / "emulator-credentials.json").read_text()
        )
        self.http = httpx.Client(
            base_url=self.base_url, timeout=10.0, transport=httpx.HTTPTransport(retries=10)
        )

    @property
    def app_id(self) -> str:
        return str(self.credentials["app_id"])

    def graph(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**BEARER, **kwargs.pop("headers", {})}
        return self.http.request(method, f"/v23.0/{path}", headers=headers, **kwargs)

    def advance(self, seconds: float) -> None:
        answer = self.http.post(
            "/sandbox/clock", json={"advance_seconds": seconds}, headers=SANDBOX
        )
        answer.raise_for_status()

    def send_template(self, to: str, name: str = "marketing_text_no_param") -> str:
        body = {**seed.SEED_EXAMPLE, "to": to}
        body["template"] = {"name": name, "language": {"code": "en"}}
        return self.send(body)

    def send(self, body: dict[str, Any]) -> str:
        answer = self.graph("POST", f"{seed.PHONE_NUMBER_ID}/messages", json=body)
        assert answer.status_code == 200, answer.text
        wamid: str = answer.json()["messages"][0]["id"]
        return wamid

    def subscribe_app(self, url: str, verify_token: str, fields: str = "messages") -> None:
        """As pywa does it: the app access token, then `POST /{app_id}/subscriptions`."""
        token = self.http.get(
            "/v23.0/oauth/access_token",
            params={
                "grant_type": "client_credentials",
                "client_id": self.app_id,
                "client_secret": seed.APP_SECRET,
            },
        ).json()["access_token"]
        params = {
            "object": "whatsapp_business_account",
            "callback_url": url,
            "verify_token": verify_token,
            "fields": fields,
            "access_token": token,
        }
        answer = self.http.post(f"/v23.0/{self.app_id}/subscriptions", params=params)
        assert answer.json() == {"success": True}, answer.text

    def stop(self) -> None:
        self.http.close()
        self._child.stop()
