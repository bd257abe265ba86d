"""One hit per story: search results with wire copies (`copies`) folded into one hit.

A story takes the place of its best-ranked matching copy; the copy shown is the earliest one (the original
wire, undated copies last), and the others are listed with it (`Hit.copies`). Hits are fetched in growing
windows until the page is full of stories or every match was seen, so a page holds `limit` stories, not
`limit` articles; only the hits shown get snippets. The total is told both ways: every matching article, and
the distinct stories among them (counted by the engine over all matches, not only the page).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from searchkit import querylang
from searchkit.copies import CopyStore
from searchkit.results import Hit, SearchResult
from searchkit.search import MAX_LIMIT, Searcher

WINDOW = 3  # articles fetched per story wanted, at first


def search(searcher: Searcher, index_dir: Path, text: str, *, limit: int = 10, page: int = 1,
           **options: Any) -> SearchResult:
    """`Searcher.search` with copies folded: the same arguments, `limit` and `page` counted in stories."""
    store = CopyStore.open(index_dir)
    if store is None:
        return searcher.search(text, limit=limit, page=page, **options)
    wanted = limit * page
    with store:
        fetch = min(MAX_LIMIT, wanted * WINDOW)
        while True:
            result = searcher.search(text, limit=fetch, page=1, snippets=False, **options)
            groups = store.groups_of([h.id for h in result.hits])
            stories = _fold(result.hits, groups)
            if len(stories) >= wanted or len(result.hits) >= result.total or fetch >= MAX_LIMIT:
                break
            fetch = min(MAX_LIMIT, fetch * 2)
        count = searcher.engine_reader.count_stories(
            querylang.parse(text).tree, version=store.version(), groups=store.group_ids,
            match_all=options.get("match", "all") == "all" and not result.fallback_any,
            date_from=options.get("date_from"), date_to=options.get("date_to"),
            speakers=options.get("speakers", ())) if result.total else 0
    shown = [hit._replace(rank=rank) for rank, hit in enumerate(stories[wanted - limit:wanted], wanted - limit + 1)]
    return result._replace(page=page, hits=searcher.with_snippets(shown), stories=count)


def _fold(hits: tuple[Hit, ...], groups: dict[str, str]) -> list[Hit]:
    """Hits in rank order, one per story: the story's earliest matching copy, listing the others."""
    members: dict[str, list[Hit]] = {}
    for hit in hits:
        members.setdefault(groups.get(hit.id, hit.id), []).append(hit)
    out = []
    for copies in members.values():
        ordered = sorted(copies, key=_earliest)
        first = ordered[0]
        out.append(first._replace(copies=tuple(h.id for h in ordered[1:])))
    return out


def _earliest(hit: Hit) -> tuple[bool, datetime, str]:
    return hit.date is None, hit.date or datetime.min, hit.id
