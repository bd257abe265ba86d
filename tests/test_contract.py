"""The on-disk contract (`engine/contract.py`): every private Whoosh name the engine uses is listed, and
Whoosh still defines each one. A Whoosh upgrade that renames or drops one fails here, in one place."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import whoosh

from searchkit.engine import contract, schema

ENGINE = Path(__file__).resolve().parents[1] / "searchkit" / "engine"
WHOOSH_SOURCE = "\n".join(p.read_text(encoding="utf-8", errors="ignore")
                          for p in Path(whoosh.__file__).parent.rglob("*.py"))


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(name) + (r"(?!\w)" if not name.endswith("_") else ""))


def _private_names_used() -> set[str]:
    """Private names (`_x`) the engine's modules use as attributes, import from Whoosh or look up by string,
    that Whoosh's source also has (the engine's own private names are not Whoosh's business)."""
    used: set[str] = set()
    for path in ENGINE.glob("*.py"):
        if path.name == "contract.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                used.add(node.attr)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
                used.update(a.name for a in node.names if a.name.startswith("_"))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value.startswith("_stored_"):
                    used.add("_stored_")
                elif re.fullmatch(r"_[A-Za-z]\w*", node.value):
                    used.add(node.value)
    return {name for name in used if _pattern(name).search(WHOOSH_SOURCE)}


def test_every_private_whoosh_name_used_is_listed() -> None:
    assert sorted(_private_names_used()) == sorted(contract.WHOOSH_PRIVATE)


def test_whoosh_still_defines_every_listed_name() -> None:
    missing = [f"{module}.{name}" for name, module in contract.WHOOSH_PRIVATE.items()
               if not _pattern(name).search(inspect.getsource(importlib.import_module(module)))]
    assert missing == []


def test_the_contract_records_the_current_schema_version() -> None:
    assert f"; {schema.SCHEMA_VERSION}, " in " ".join(contract.__doc__.split())
