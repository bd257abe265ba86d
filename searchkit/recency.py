"""Recency: a bounded decay by date, blended into relevance for users who want the latest first among
relevant matches (`--recent`, `--boost-recent HALF_LIFE`). `--sort relevance` never uses it.

    blended = bm25 × (FLOOR + (1 − FLOOR) × 0.5 ^ (age / half_life))

`age` is counted in days back from the newest article in the index (not from today: an archive of 2013
stories is not all equally "old"), and is never negative. The factor runs from 1 (the newest day) down to
`FLOOR` (very old, or undated), so recency can at most halve a match's relevance and never lifts a weak
match above a strong one by more than 2×: relevance still decides, recency breaks near-ties.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from searchkit.errors import InvalidQuery
from searchkit.results import Hit, SearchResult

if TYPE_CHECKING:
    from searchkit.search import Searcher

FLOOR = 0.5
_UNITS = {"d": 1.0, "w": 7.0, "m": 30.4375, "y": 365.25}
_HALF_LIFE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dwmy]?)\s*$", re.IGNORECASE)

T = TypeVar("T")


class Decay(NamedTuple):
    """The decay of one search: its half-life in days, counted back from `reference` (the newest date). A
    named tuple, as the search records are: a frozen dataclass compiles its methods at import."""

    half_life_days: float
    reference: datetime

    def factor(self, when: datetime | None) -> float:
        """The multiplier of a match dated `when`: 1 for the newest, `FLOOR` for undated."""
        if when is None:
            return FLOOR
        age = max(0.0, (self.reference - when).total_seconds() / 86_400)
        return FLOOR + (1 - FLOOR) * 0.5 ** (age / self.half_life_days)

    def blend(self, score: float, when: datetime | None) -> float:
        """A relevance score with recency blended in."""
        return score * self.factor(when)


def parse_half_life(text: str) -> float:
    """Days in `30`, `30d`, `2w`, `6m` or `1y` (months of 30.44 days, years of 365.25)."""
    found = _HALF_LIFE.match(text)
    if found is None or float(found.group(1)) <= 0:
        raise InvalidQuery(f"cannot read half-life {text!r}: use a positive number of days, or 2w, 6m, 1y")
    return float(found.group(1)) * _UNITS[(found.group(2) or "d").lower()]


def rerank(candidates: Sequence[T], limit: int, decay: Decay, score: Callable[[T], float],
           date: Callable[[T], datetime | None], complete: bool) -> tuple[list[tuple[T, float]], bool]:
    """The best `limit` of `candidates` (ordered by relevance, best first) by blended score, and whether
    that is certainly the best `limit` of all matches: true when `complete` (these are all the matches) or
    when the last kept blended score is at least the relevance of the last candidate, which bounds the
    blended score of any match not among them (a factor never exceeds 1). Ties keep relevance order."""
    blended = sorted(((c, decay.blend(score(c), date(c))) for c in candidates), key=lambda cb: -cb[1])
    best = blended[:limit]
    if complete or not candidates:
        return best, True
    bound = score(candidates[-1])
    return best, len(best) == limit and best[-1][1] >= bound


class RecentSearcher:
    """A searcher whose relevance ranking blends in `decay`: `search` takes `Searcher.search`'s arguments
    and returns hits by blended score (their `score`), re-ranking a relevance-ordered prefix that grows
    until `rerank` says it is enough. Other sorts (newest, oldest) are passed through untouched."""

    def __init__(self, searcher: Searcher, half_life_days: float) -> None:
        self.plain = searcher
        self.engine_reader = searcher.engine_reader
        newest = searcher.engine_reader.date_span()[1]
        self.decay = Decay(half_life_days, newest) if newest is not None else None

    def with_snippets(self, hits: Iterable[Hit]) -> tuple[Hit, ...]:
        """`Searcher.with_snippets`: the hits of a search made with `snippets=False`, with snippets."""
        return self.plain.with_snippets(hits)

    def search(self, text: str, *, limit: int = 10, page: int = 1, sort: str = "relevance",
               **options: Any) -> SearchResult:
        from searchkit.search import MAX_LIMIT

        if self.decay is None or sort != "relevance":
            return self.plain.search(text, limit=limit, page=page, sort=sort, **options)  # type: ignore[arg-type]
        wanted = limit * page
        fetch = min(MAX_LIMIT, max(2 * wanted, 20))
        while True:
            result = self.plain.search(text, limit=fetch, page=1, **options)
            best, certain = rerank(result.hits, wanted, self.decay, lambda h: h.score, lambda h: h.date,
                                   complete=len(result.hits) >= result.total)
            if certain or fetch >= MAX_LIMIT:
                break
            fetch = min(MAX_LIMIT, fetch * 4)
        hits = [hit._replace(rank=rank, score=round(score, 4))
                for rank, (hit, score) in enumerate(best[wanted - limit:wanted], wanted - limit + 1)]
        return result._replace(page=page, hits=tuple(hits))
