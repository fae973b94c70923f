"""The workspace file `mmgate serve` writes beside its database: keys and URLs for clients.

It lives in the SDK because the SDK reads it (`Client.from_workspace`) without the server
installed; the server's provisioning writes it through the same name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

WORKSPACE_FILE = "workspace.json"


def read_workspace(data_dir: Path) -> dict[str, Any] | None:
    """The decoded workspace file in `data_dir`, or None when there is none."""
    path = data_dir / WORKSPACE_FILE
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    return data
