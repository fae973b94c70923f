"""Chromium for the onboarding browser tests and tour: Debian's, installed by
scripts/ensure-chromium when missing; the tests skip only if that cannot be done."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.integration.ui import browser as chromium

ENSURE = Path(__file__).resolve().parents[3] / "scripts" / "ensure-chromium"


def chromium_problem() -> str | None:
    """None when /usr/bin/chromium is there (installing it if need be), else why not."""
    if chromium.CHROMIUM.exists():
        return None
    result = subprocess.run([str(ENSURE)], capture_output=True, text=True, check=False)
    if result.returncode == 0 and chromium.CHROMIUM.exists():
        return None
    return f"{chromium.MISSING}; scripts/ensure-chromium said: {result.stderr.strip()[-300:]}"
