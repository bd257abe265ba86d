"""What searchkit remembers beside an index for the person using it: the folders as they were named when
indexed (so paths print as indexed) and the last search's result list (so `show @3` opens its third hit).

Both are small JSON files in the index folder, written atomically and best-effort: an index on a read-only
disk still searches, it just cannot remember (and `@N` then says so).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from searchkit import private

LAST_RESULTS = "last-results.json"
ROOTS = "roots.json"


class LastResults:
    """The hits the last search showed: `ids[rank]` is the id of the hit printed as number `rank`."""

    __slots__ = ("ids", "query")

    def __init__(self, query: str, ids: dict[int, str]) -> None:
        self.query, self.ids = query, ids


def _write(path: Path, obj: Any) -> bool:
    try:
        private.write_text(path, json.dumps(obj, ensure_ascii=False), sync=False)
        return True
    except OSError:
        return False


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def remember_results(index_dir: Path, query: str, ranked_ids: list[tuple[int, str]]) -> bool:
    """Keep the hits just shown (rank, id) for `@N`; False when the index folder is not writable."""
    if not index_dir.is_dir():
        return False
    return _write(index_dir / LAST_RESULTS, {"query": query, "hits": [[rank, id_] for rank, id_ in ranked_ids]})


def last_results(index_dir: Path) -> LastResults | None:
    """The hits the last search showed, or None when none are remembered."""
    obj = _read(index_dir / LAST_RESULTS)
    try:
        return LastResults(query=str(obj["query"]), ids={int(rank): str(id_) for rank, id_ in obj["hits"]})
    except (TypeError, KeyError, ValueError):
        return None


def remember_roots(index_dir: Path, given: list[Path]) -> None:
    """Record how each indexed file or folder was named on the command line (absolute or relative)."""
    roots = load_roots(index_dir)
    for path in given:
        roots[os.path.abspath(path)] = path.is_absolute()
    if index_dir.is_dir():
        _write(index_dir / ROOTS, roots)


def load_roots(index_dir: Path) -> dict[str, bool]:
    """Every file or folder indexed into `index_dir` (absolute path → whether it was given absolute)."""
    obj = _read(index_dir / ROOTS)
    return {str(k): bool(v) for k, v in obj.items()} if isinstance(obj, dict) else {}


class PathStyle:
    """Prints a stored (absolute) path as it was indexed: absolute when its folder was given absolute,
    else relative to the current folder (absolute again when that would climb out of it)."""

    def __init__(self, roots: dict[str, bool]) -> None:
        self.roots = sorted(roots.items(), key=lambda kv: -len(kv[0]))  # the innermost root first

    def __call__(self, path: str) -> str:
        for root, absolute in self.roots:
            if path == root or path.startswith(root.rstrip(os.sep) + os.sep):
                return path if absolute else self._relative(path)
        return self._relative(path)

    @staticmethod
    def _relative(path: str) -> str:
        try:
            rel = os.path.relpath(path)
        except ValueError:  # another drive
            return path
        return path if rel.startswith(os.pardir) else rel
