"""mmgate's import graph, read from the source (stdlib only).

    python3 scripts/import_graph.py            # the graph between top-level parts, as Mermaid
    python3 scripts/import_graph.py --cycles   # exit 1 and name the cycle, if there is one

Every `import` counts, including those inside functions and under TYPE_CHECKING: a lazy import
is still a dependency, and a cycle hidden in a function is still a cycle.
tests/unit/test_architecture.py holds the rules it checks; docs/architecture.md shows its output.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "mmgate"


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
    """Every module of the package and the modules of the package it imports."""
    found = {module_name(p): set(imports_of(p)) for p in PACKAGE.rglob("*.py")}
    return {name: {i for i in deps if i in found} for name, deps in found.items()}


def part(module: str) -> str:
    """The top-level part a module belongs to: `mmgate.gateway.accept` -> `gateway`."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "mmgate"


def part_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, deps in modules().items():
        edges = {part(d) for d in deps if part(d) != part(module)}
        graph.setdefault(part(module), set()).update(edges)
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


# Leaf modules every part may use; drawn apart so the picture shows the layers.
SHARED = {"clock", "errors", "ids", "signing", "cache", "settings", "mmgate"}


def mermaid(graph: dict[str, set[str]]) -> str:
    lines = ["graph TD"]
    for source in sorted(graph):
        if source in SHARED:
            continue
        lines += [f"  {source} --> {target}" for target in sorted(graph[source] - SHARED)]
    shared = sorted(SHARED & set(graph))
    lines.append(f"  %% shared leaf modules, imported from anywhere: {', '.join(shared)}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    graph = part_graph()
    if "--cycles" in argv:
        cycle = find_cycle(graph)
        if cycle:
            print("import cycle: " + " -> ".join(cycle))
            return 1
        print("no import cycles between parts")
        return 0
    print(mermaid(graph))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
