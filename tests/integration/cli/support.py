"""Running `mmgate` in tests: in process through click's runner, or as a real child process."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from mmgate.cli.main import cli
from tests.support.server import ServerProcess


def mmgate(server: ServerProcess, *args: str) -> Result:
    """`mmgate ARGS --data-dir <the server's>`: keys and URL come from its workspace."""
    return CliRunner().invoke(cli, [*args, "--data-dir", str(server.data_dir)])


class MmgateProcess:
    """`python -m mmgate.cli.main ARGS` with stdout and stderr merged, read line by line."""

    def __init__(self, *args: str, cwd: Path | None = None) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "mmgate.cli.main", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=cwd,
            env={**os.environ, "COLUMNS": "200"},
        )
        self.lines: list[str] = []
        self._ended = False
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for_line(self, predicate: Callable[[str], bool], timeout: float = 20.0) -> str:
        """The first new line that satisfies `predicate`; fails if the process ends first."""
        while True:
            try:
                line = self._queue.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no such line within {timeout}s; got {self.lines}") from None
            if line is None:
                self._ended = True
                raise AssertionError(f"the process ended without such a line: {self.lines}")
            self.lines.append(line)
            if predicate(line):
                return line

    def finish(self, timeout: float = 30.0) -> int:
        """Wait for the exit; every remaining line ends up in `lines`."""
        code = self._proc.wait(timeout=timeout)
        while not self._ended:
            line = self._queue.get(timeout=timeout)
            if line is None:
                self._ended = True
            else:
                self.lines.append(line)
        assert self._proc.stdout is not None
        self._proc.stdout.close()
        return code

    def interrupt(self) -> None:
        self._proc.send_signal(signal.SIGINT)

    def signal(self, signum: int) -> None:
        self._proc.send_signal(signum)

    def kill(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
