"""The layering rules, checked on the source: only `engine/` knows Whoosh, and imports point one way (no
cycle among searchkit's modules). Built from the modules' syntax trees, so a new module is checked too."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "searchkit"


def _modules() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return out


def _imports(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The searchkit modules (and `whoosh`) that a module imports, anywhere in its body."""
    found: set[str] = set()
    package = name if name in known and any(k.startswith(name + ".") for k in known) else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            if target.split(".")[0] == "whoosh":
                found.add("whoosh")
            elif target in known:
                found.add(target)
    found.discard(name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, tree, known) for name, tree in modules.items()}


def test_only_the_engine_imports_whoosh() -> None:
    graph = _graph()
    outside = sorted(m for m, deps in graph.items() if "whoosh" in deps and not m.startswith("searchkit.engine"))
    assert outside == []


def test_no_import_cycle() -> None:
    graph = {m: {d for d in deps if d != "whoosh" and d != "searchkit"} for m, deps in _graph().items()}
    # a package's __init__ importing its children is not a cycle of the layering
    graph = {m: {d for d in deps if not d.startswith(m + ".")} for m, deps in graph.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep):], dep])
            elif dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


WHOOSH_ATTRIBUTES = {
    "stored_fields", "all_stored_fields", "document_number", "document_numbers", "doc_count_all", "searcher",
    "reader", "leaf_readers", "postings", "lexicon", "weighting", "docs_for_query", "term_info", "column_reader",
    "all_doc_ids", "corrector", "add_document", "update_document", "delete_by_term", "delete_document",
    "doc_frequency", "expanded_terms", "is_deleted", "segments", "_s",
}
"""Whoosh searcher, reader, writer and index methods (and `_s`, the engine's name for a Whoosh searcher)."""


def test_nothing_above_the_engine_touches_whoosh_objects() -> None:
    """Outside `engine/`, no attribute of a Whoosh searcher, reader or writer is used: those modules hold
    the engine's own records and readers only (so no document number reaches them either)."""
    touched = sorted(
        f"{name}: .{node.attr}"
        for name, tree in _modules().items() if not name.startswith("searchkit.engine")
        for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr in WHOOSH_ATTRIBUTES
    )
    assert touched == []


def test_above_the_engine_only_its_interface_is_imported() -> None:
    """Modules outside `engine/` import `searchkit.engine.api` and nothing else of the engine."""
    graph = _graph()
    reached = sorted(f"{m} -> {d}" for m, deps in graph.items() if not m.startswith("searchkit.engine")
                     for d in deps if d.startswith("searchkit.engine") and d != "searchkit.engine.api")
    assert reached == []
