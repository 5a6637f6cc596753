"""The support check's modules (assistant/support*.py) import one another one way only: no module reaches back, at the
top or inside a function, to a module that imports it (round 11 of issue #15 split assistant/support.py by concern)."""

from __future__ import annotations

import ast
from pathlib import Path

import assistant

PACKAGE = Path(assistant.__file__).parent


def _support_imports() -> dict[str, set[str]]:
    graph = {}
    for path in sorted(PACKAGE.glob("support*.py")):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("assistant.support"):
                found.add(node.module.split(".")[1])
        graph[path.stem] = found
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    out = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in path:
                out.append(path[path.index(nxt):] + [nxt])
            else:
                visit(nxt, path + [nxt])

    for start in graph:
        visit(start, [start])
    return out


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}})
    assert not _cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()})


def test_support_modules_import_one_way():
    graph = _support_imports()
    assert {"support", "support_source", "support_clauses", "support_binding", "support_opposites",
            "support_coverage", "support_drugs"} <= set(graph)
    assert not _cycles(graph)


def test_the_check_stands_above_its_pieces():
    graph = _support_imports()
    assert not [name for name, deps in graph.items() if "support" in deps]  # nothing imports the check itself
