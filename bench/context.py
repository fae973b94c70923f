"""What every benchmark gets: the options, the core layout, the load generator
and a directory for its data and logs."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.cores import CoreLayout
from bench.load import LoadGenerator
from bench.options import Options


@dataclass
class Context:
    options: Options
    cores: CoreLayout
    load: LoadGenerator
    workdir: Path
    _runs: int = 0

    def log(self, message: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    def fresh_dir(self, name: str) -> Path:
        """A new, empty directory for one server's data."""
        self._runs += 1
        path = self.workdir / f"{self._runs:03d}-{name}"
        path.mkdir(parents=True)
        return path

    def log_file(self, name: str) -> Path:
        return self.workdir / "logs" / f"{name}.log"
