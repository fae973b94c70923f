"""The tree's rules, read from the source: no import cycles between parts, an SDK that stands
alone. Every `import` counts, including lazy ones (scripts/import_graph.py reads them)."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "mmgate"
# What the standalone SDK may import besides the standard library (sdk/pyproject.toml).
SDK_THIRD_PARTY = {"httpx", "msgspec", "anyio"}

# The graph is read by scripts/import_graph.py (also what docs/architecture.md shows).
_spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
assert _spec is not None and _spec.loader is not None
graph = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(graph)


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert graph.find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert graph.find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycles_between_top_level_parts() -> None:
    cycle = graph.find_cycle(graph.part_graph())
    assert cycle is None, "import cycle between parts: " + " -> ".join(cycle or [])


def sdk_closure() -> set[str]:
    modules = graph.modules()
    seen: set[str] = set()
    todo = [m for m in modules if m == "mmgate.sdk" or m.startswith("mmgate.sdk.")]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(modules[module])
    return seen


def test_the_sdk_distribution_ships_exactly_what_the_sdk_imports() -> None:
    config = tomllib.loads((ROOT / "sdk" / "pyproject.toml").read_text())["tool"]["setuptools"]
    outside = {m for m in sdk_closure() if not m.startswith("mmgate.sdk") and m != "mmgate"}
    assert outside == set(config["py-modules"])
    assert config["packages"] == ["mmgate.sdk"]


def test_the_sdk_needs_only_httpx_and_msgspec() -> None:
    third_party: set[str] = set()
    for module in sdk_closure():
        source = PACKAGE.parent / (module.replace(".", "/") + ".py")
        if not source.exists():
            source = PACKAGE.parent / module.replace(".", "/") / "__init__.py"
        tops = {name.split(".")[0] for name in graph.imports_of(source) if name}
        third_party |= {t for t in tops if t not in sys.stdlib_module_names and t != "mmgate"}
    assert third_party <= SDK_THIRD_PARTY


def test_the_drawing_in_docs_architecture_is_the_code_s_graph() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text()
    drawn = doc.split("```mermaid\n", 1)[1].split("```", 1)[0].strip()
    assert drawn == graph.mermaid(graph.part_graph()).strip(), (
        "docs/architecture.md's graph is stale: paste the output of scripts/import-graph"
    )
