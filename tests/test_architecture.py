"""The layout's rules, checked: imports point one way (no cycle between modules, imports inside
functions included) and no module grows past one screenful of concerns. The layers themselves are
import-linter's contract in pyproject.toml (`lint-imports`, run by CI)."""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("gfmd", "practices", "rcps", "roundtables")
# The domain apps' models may name each other (a practice's sessions, a session's practices);
# Django resolves those relations lazily, and no other module may take part in a cycle.
APP_MODELS = {f"{app}.models" for app in ("gfmd", "practices", "rcps", "roundtables")}
MAX_LINES = 600


def import_graph() -> dict[str, set[str]]:
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        if ".migrations" in module:
            continue
        imported = graph.find_modules_directly_imported_by(module)
        edges[module] = {m for m in imported if not (module in APP_MODELS and m in APP_MODELS)}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_cycles_are_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_modules():
    assert cycles(import_graph()) == []


def python_modules() -> list[Path]:
    skipped = {".venv", "migrations", "tests", "var", "node_modules", ".git"}
    return [path for path in ROOT.rglob("*.py") if not skipped & set(path.relative_to(ROOT).parts)]


@pytest.mark.parametrize("path", python_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_longer_than_600_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it"
