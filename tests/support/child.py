"""An mmgate command in a child process: started, ready once its banner has printed, its
output read for as long as it runs (a full pipe would block it) and kept for a failing test."""

from __future__ import annotations

import os
import subprocess
import threading


class Child:
    def __init__(self, args: list[str], ready_marker: str, env: dict[str, str] | None = None):
        self.proc = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            text=True,
        )
        self.banner = self._read_banner(ready_marker)
        self.log_lines: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _read_banner(self, ready_marker: str) -> str:
        assert self.proc.stdout is not None
        lines = []
        for line in self.proc.stdout:
            lines.append(line)
            if ready_marker in line:
                return "".join(lines)
        self.proc.wait()
        self.proc.stdout.close()
        raise RuntimeError(f"{self.proc.args!r} exited before it was ready:\n" + "".join(lines))

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        try:
            for line in self.proc.stdout:
                self.log_lines.append(line)
        except ValueError:  # closed by stop() or kill()
            return

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash."""
        self.proc.kill()
        self.proc.wait()
        self._close()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._close()

    def _close(self) -> None:
        if self.proc.stdout is not None:
            self.proc.stdout.close()
