"""Every template the newcomer docs send exists in the demo workspace (docs/sdk.md once
sent `summer_sale`, which did not)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mmgate.workspace.spec import DEMO_TEMPLATES

ROOT = Path(__file__).resolve().parents[2]
DOCS = ["README.md", "docs/sdk.md", "docs/cli.md", "docs/emulator.md", "docs/test-numbers.md"]
# How the docs name a template they send.
USES = [
    r'Template\("(\w+)"',
    r'\.build\("[^"]*",\s*"(\w+)"',
    r'"template":\s*\{\s*"name":\s*"(\w+)"',
    r"(?:-t|--template)\s+([a-z]\w+)",
]


@pytest.mark.parametrize("doc", [d for d in DOCS if (ROOT / d).exists()])
def test_the_templates_a_doc_sends_exist_in_the_demo_workspace(doc: str) -> None:
    text = (ROOT / doc).read_text()
    used = {name for pattern in USES for name in re.findall(pattern, text)}
    demo = {t.name for t in DEMO_TEMPLATES}
    assert used - demo == set(), f"{doc} sends templates the demo workspace lacks"
