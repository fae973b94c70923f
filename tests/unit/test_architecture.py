"""The tree's rules, read from the source: no import cycles between parts, an SDK that stands alone.

Every `import` counts, including those inside functions and under TYPE_CHECKING: a lazy import
is still a dependency, and a cycle hidden in a function is still a cycle.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "mmgate"
# What the standalone SDK may import besides the standard library (sdk/pyproject.toml).
SDK_THIRD_PARTY = {"httpx", "msgspec", "anyio"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> Iterator[str]:
    """Absolute names of everything `path` imports (relative imports resolved)."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            stem = ".".join([*base, node.module] if node.module else base)
            yield stem
            # `from mmgate.x import y` may name a submodule y.
            yield from (f"{stem}.{alias.name}" for alias in node.names)


def modules() -> dict[str, set[str]]:
    found = {module_name(p): set(imports_of(p)) for p in PACKAGE.rglob("*.py")}
    return {name: {i for i in deps if i in found} for name, deps in found.items()}


def part(module: str) -> str:
    """The top-level part a module belongs to: `mmgate.gateway.accept` -> `gateway`."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "mmgate"


def part_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, deps in modules().items():
        graph.setdefault(part(module), set()).update(
            part(d) for d in deps if part(d) != part(module)
        )
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycles_between_top_level_parts() -> None:
    cycle = find_cycle(part_graph())
    assert cycle is None, "import cycle between parts: " + " -> ".join(cycle or [])


def sdk_closure() -> set[str]:
    graph = modules()
    seen: set[str] = set()
    todo = [m for m in graph if m == "mmgate.sdk" or m.startswith("mmgate.sdk.")]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(graph[module])
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
        tops = {name.split(".")[0] for name in imports_of(source) if name}
        third_party |= {t for t in tops if t not in sys.stdlib_module_names and t != "mmgate"}
    assert third_party <= SDK_THIRD_PARTY
