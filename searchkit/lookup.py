"""From what a person types to one stored article: an id, a path (as printed, relative or absolute), or
`@N` for the N-th hit of the last search."""

from __future__ import annotations

import os
from pathlib import Path

from searchkit import history
from searchkit.errors import ArticleNotFound, NoSuchResult
from searchkit.results import StoredDoc
from searchkit.search import Searcher


def find(searcher: Searcher, ref: str) -> StoredDoc:
    """The article `ref` names; `ArticleNotFound` / `NoSuchResult` with what to type instead."""
    if ref.startswith("@") and ref[1:].isdigit():
        return _nth(searcher, int(ref[1:]))
    try:
        return searcher.get(ref)
    except ArticleNotFound:
        pass
    candidates = {os.path.abspath(ref), str(Path(ref).expanduser().resolve())}
    for path in sorted(candidates):
        docs = searcher.by_source(path)
        if len(docs) == 1:
            return docs[0]
        if docs:
            ids = ", ".join(d.id for d in docs[:3]) + (", …" if len(docs) > 3 else "")
            raise ArticleNotFound(f"{ref} holds {len(docs)} articles; show one by its id ({ids})")
    example = next((d.id for d in searcher.documents()), None)
    looks = f"ids look like {example!r}, " if example else ""
    raise ArticleNotFound(f"no article {ref!r} in the index ({looks}as printed by `searchkit search`; "
                          "a path as indexed, or @N for the N-th hit of the last search, also work)")


def _nth(searcher: Searcher, rank: int) -> StoredDoc:
    last = history.last_results(searcher.index_dir)
    if last is None:
        raise NoSuchResult("no search remembered for this index yet: run `searchkit search` first, then "
                           "`searchkit show @1`")
    if rank not in last.ids:
        shown = f"@{min(last.ids)}–@{max(last.ids)}" if last.ids else "no hits"
        raise NoSuchResult(f"the last search ({last.query!r}) showed {shown}, not @{rank}")
    try:
        return searcher.get(last.ids[rank])
    except ArticleNotFound:
        raise NoSuchResult(f"@{rank} of the last search is no longer in the index; search again") from None
