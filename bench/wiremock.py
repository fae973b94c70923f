"""WireMock, the mock people run in place of a gateway: the peer row of the accept
benchmark.

The standalone jar comes from the npm package `wiremock` (it ships the jar; its
`index.js` only runs `java -jar` on it), installed once into
bench/results/cache/wiremock with `npm install --prefix`. We run the jar with
`java` ourselves, pinned like every other server, with WireMock's default settings:
the only flags are the port, the address (127.0.0.1: the harness never listens
beyond the loopback) and the root directory holding the one stub. The stub answers
the send the other servers get (same path, key header and JSON body, matched with
`equalToJson`) with the bare app's ~190-byte send response.

"Cold" is a freshly started JVM per run, warmed only by the harness's own warm-up
load that every server gets; a JIT-warmed WireMock would be faster.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from bench import procs
from bench.bare_app import BODY
from bench.cores import pinned
from bench.servers import Server
from bench.workspace import CHANNEL_KEY, SEND_PATH, send_body

PACKAGE = "wiremock"
NPM_TIMEOUT = 300.0


def jar_in(prefix: Path) -> Path | None:
    """The standalone jar of an `npm install --prefix <prefix> wiremock`, if there."""
    build = prefix / "node_modules" / PACKAGE / "build"
    jars = sorted(build.glob("wiremock-standalone-*.jar")) if build.is_dir() else []
    return jars[-1] if jars else None


def ensure_jar(prefix: Path) -> tuple[Path | None, str]:
    """(jar, "") when WireMock can run here, else (None, why not)."""
    if shutil.which("java") is None:
        return None, "java not installed (WireMock needs a JRE)"
    jar = jar_in(prefix)
    if jar is not None:
        return jar, ""
    npm = shutil.which("npm")
    if npm is None:
        return None, "npm not installed (WireMock's jar comes from the npm package `wiremock`)"
    prefix.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", PACKAGE],
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"npm install {PACKAGE} failed: {exc}"[:200]
    jar = jar_in(prefix)
    if jar is None:
        last = (done.stderr.strip().splitlines() or ["no jar in the package"])[-1]
        return None, f"npm install {PACKAGE} failed: {last}"[:200]
    return jar, ""


def stub_mapping() -> dict[str, object]:
    """The one stub: the harness's send in, the bare app's send response out."""
    return {
        "request": {
            "method": "POST",
            "url": SEND_PATH,
            "headers": {"D360-API-KEY": {"equalTo": CHANNEL_KEY}},
            "bodyPatterns": [{"equalToJson": send_body().decode()}],
        },
        "response": {
            "status": 200,
            "headers": {"Content-Type": "application/json"},
            "body": BODY.decode(),
        },
    }


def write_root(root: Path) -> Path:
    """A WireMock root directory (`mappings/` + `__files/`) with the stub."""
    (root / "mappings").mkdir(parents=True, exist_ok=True)
    (root / "__files").mkdir(exist_ok=True)
    (root / "mappings" / "send.json").write_text(json.dumps(stub_mapping(), indent=2))
    return root


def command(jar: Path, port: int, root: Path) -> list[str]:
    return [
        *("java", "-jar", str(jar)),
        *("--port", str(port), "--bind-address", "127.0.0.1"),
        *("--root-dir", str(root)),
    ]


@contextlib.contextmanager
def running(jar: Path, root: Path, cpus: str | None, log: Path) -> Iterator[Server]:
    """A fresh JVM serving the stub; stopped (and killed if need be) afterwards."""
    port = procs.free_port()
    with procs.running(pinned(command(jar, port, write_root(root)), cpus), log, port=port) as p:
        yield Server(p, port)
