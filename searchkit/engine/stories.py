"""Distinct stories among a query's matches, given wire-copy groups by stable article id.

Mapping 10^4 grouped ids to document numbers costs ~1 s at 10^5 articles (a term lookup each), too much for
every search, so the mapping is kept in a small file per index generation (`_stories_<generation>.bin`:
a version line naming the groups it was made from, then `(docnum, group)` pairs as int64). The indexer
makes it after each update (`prime`); a search made after the groups or the index changed makes it again.
A file that cannot be written (a read-only index) only costs the lookups each time.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from searchkit import private
from searchkit.engine.postings import term_docs

PREFIX = "_stories_"


def groups_by_doc(searcher: Any, index_dir: Path, version: str, load: Callable[[], Mapping[str, str]]
                  ) -> dict[int, int]:
    """Each grouped live document's group (as a small number), for the groups `load` returns (`version`
    names them)."""
    path = index_dir / f"{PREFIX}{searcher.reader().generation()}.bin"
    found = _read(path, version)
    if found is not None:
        return found
    labels: dict[str, int] = {}
    mapping: dict[int, int] = {}
    for article_id, group in load().items():
        for docnum in term_docs(searcher, "id", article_id) or set(searcher.document_numbers(id=article_id)):
            mapping[docnum] = labels.setdefault(group, len(labels))
    _write(path, version, mapping)
    return mapping


def count(docs: set[int], groups: Mapping[int, int]) -> int:
    """Stories among `docs`: documents of one group count once."""
    seen: set[int] = set()
    hidden = 0
    for docnum in docs & groups.keys():
        group = groups[docnum]
        if group in seen:
            hidden += 1
        else:
            seen.add(group)
    return len(docs) - hidden


def _read(path: Path, version: str) -> dict[int, int] | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head, _, body = data.partition(b"\n")
    if head != version.encode() or len(body) % 16:
        return None
    pairs = array("q")
    pairs.frombytes(body)
    return dict(zip(pairs[0::2], pairs[1::2], strict=True))


def _write(path: Path, version: str, mapping: dict[int, int]) -> None:
    pairs = array("q", [v for item in mapping.items() for v in item])
    try:
        private.write_bytes(path, version.encode() + b"\n" + pairs.tobytes(), sync=False)  # owner-only
        for old in path.parent.glob(f"{PREFIX}*"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass
