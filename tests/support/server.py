"""The real mmgate server in a child process, on an ephemeral port."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.support import seed
from tests.support.child import Child


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerProcess:
    def __init__(
        self,
        data_dir: Path,
        seed_path: Path | None,
        env: dict[str, str] | None = None,
        *,
        port: int | None = None,
        clock: str = "frozen",
        extra_args: list[str] | None = None,
    ):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        args = [
            sys.executable,
            "-m",
            "mmgate.cli.main",
            "serve",
            "--port",
            str(self.port),
            "--data-dir",
            str(data_dir),
            "--clock",
            clock,
        ]
        if seed_path is not None:
            args += ["--seed", str(seed_path)]
        args += extra_args or []
        self._child = Child(args, "mmgate workspace --json", env)
        self.banner = self._child.banner
        # The banner prints once the socket listens; retries only cover a loaded machine.
        self.http = httpx.Client(
            base_url=self.base_url, timeout=10.0, transport=httpx.HTTPTransport(retries=10)
        )

    @property
    def log_lines(self) -> list[str]:
        """What the server printed after its banner (its logs)."""
        return self._child.log_lines

    def send(
        self,
        body: Any,
        *,
        key: str = seed.CHANNEL_KEY,
        path: str = "/marketing_messages",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        return self.http.post(path, json=body, headers={"D360-API-KEY": key, **(headers or {})})

    def advance(self, seconds: float) -> float:
        response = self.http.post(
            "/sandbox/clock",
            json={"advance_seconds": seconds},
            headers={"X-Sandbox-Key": seed.SANDBOX_KEY},
        )
        response.raise_for_status()
        now: float = response.json()["now"]
        return now

    def set_webhook(
        self, url: str, headers: dict[str, str] | None = None, key: str = seed.CHANNEL_KEY
    ) -> None:
        response = self.http.post(
            "/v1/configs/webhook",
            json={"url": url, "headers": headers or {}},
            headers={"D360-API-KEY": key},
        )
        response.raise_for_status()

    def message(self, wamid: str, key: str = seed.CHANNEL_KEY) -> dict[str, Any]:
        response = self.http.get(f"/v1/messages/{wamid}", headers={"D360-API-KEY": key})
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash."""
        self.http.close()
        self._child.kill()

    def stop(self) -> None:
        self.http.close()
        self._child.stop()
