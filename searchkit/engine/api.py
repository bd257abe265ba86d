"""The engine's interface: everything above `engine/` reads and writes indexes through this module.

Reading: `Reader` (the article index) and `QuoteReader` (the quotes index) open an index once for many
operations: `search` (ranked, filtered, exact total, stored records of the requested page), `matching`
(every match), `get` (by id or key), `by_source`, `documents`, `speaker_counts`, `date_span`,
`year_span`, `undated_count`, `doc_count`, `suggest`; `QuoteReader.of_article`. Writing: `WriteSession`
(add / delete / one commit; see `session`) with `Workers` (the processes that read and analyse, given the
caller's `read` function; see `workers`). Queries come in as the query language's syntax trees
(`querylang`), results go out as `results` records: no Whoosh object and no document number crosses this
module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Literal, NamedTuple, TypeVar

from searchkit.engine import expansion, facets, index, query, stories
from searchkit.engine.lengths import cache_of
from searchkit.engine.schema import INDEX_NAME, QUOTES_NAME
from searchkit.querylang import Node
from searchkit.results import MatchSpec, StoredDoc

if TYPE_CHECKING:
    from searchkit.engine.session import WriteSession
    from searchkit.engine.workers import Workers
    from searchkit.reports import SpeakerCount, StoredQuote

__all__ = ["DayCounts", "QuoteReader", "Ranked", "Reader", "Workers", "WriteSession", "check", "check_version",
           "doc_count", "index_size", "last_update", "match_spec"]

Sort = Literal["relevance", "newest", "oldest"]
AnySort = Literal["relevance", "newest", "oldest", "auto"]  # auto: relevance, or newest for filters alone
D = TypeVar("D", StoredDoc, "StoredQuote")  # named: `reports` is not imported for a search


class DayCounts(NamedTuple):
    """Matching documents per day, and the matching documents without a date."""

    days: dict[date, int]
    undated: int


class Ranked(NamedTuple, Generic[D]):
    """One search: the exact number of matches, the requested slice of them (stored record and score, best
    first or by date), what to highlight, whether all-words found nothing and any-word ranking was used, and
    notes on what the query's bounds cut (`expansion`)."""

    total: int
    hits: tuple[tuple[D, float], ...]
    spec: MatchSpec
    fallback_any: bool = False
    notes: tuple[str, ...] = ()


class _Base(Generic[D]):
    """An open index (article or quotes), ready for many searches; close it (or use `with`)."""

    NAME = INDEX_NAME
    FIELDS = query.ARTICLE_FIELDS

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._ctx = index.searching(index_dir, self.NAME)
        self._s: Any = self._ctx.__enter__()
        self.cache = cache_of(self._s)  # what this open index keeps between searches (lengths, filters, ...)
        self._day_ordinals: list[int] | None = None

    def __enter__(self) -> _Base[D]:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Release the index."""
        self._ctx.__exit__(None, None, None)

    def _fetch(self, docnum: int) -> D:
        raise NotImplementedError

    def search(self, tree: Node | None, *, match_all: bool = True, fallback_any: bool = False,
               date_from: datetime | None = None, date_to: datetime | None = None, speakers: Sequence[str] = (),
               sort: AnySort = "relevance", offset: int = 0, limit: int = 10, everything: bool = False) -> Ranked[D]:
        """Documents matching `tree` (all words, or any with `match_all=False`) within the filters, ranked
        by relevance or date ("auto": relevance, or newest first when the query has no words); hits
        `offset` to `offset + limit`. With `fallback_any`, an all-words search that finds nothing is run
        again with any word. A filter alone (no tree) matches every document it lets through; with neither,
        nothing matches unless `everything` (a `*` query) asks for every document."""
        flt = self._filter(date_from, date_to, speakers)
        compiled = query.compile_query(tree, match_all=match_all, fields=self.FIELDS)
        if sort == "auto":
            sort = "relevance" if compiled.query is not None else "newest"
        notes: list[str] = []
        total, top = self._run(compiled, flt, sort, offset + limit, notes, everything)
        fallback = False
        if total == 0 and match_all and fallback_any and tree is not None:
            any_compiled = query.compile_query(tree, match_all=False, fields=self.FIELDS)
            if any_compiled.query != compiled.query:
                total, top = self._run(any_compiled, flt, sort, offset + limit, notes, everything)
                fallback = total > 0
        hits = tuple((self._fetch(docnum), score) for docnum, score in top[offset:offset + limit])
        return Ranked(total, hits, compiled.spec, fallback, tuple(dict.fromkeys(notes)))

    def _filter(self, date_from: datetime | None, date_to: datetime | None, speakers: Sequence[str]) -> Any:
        return query.combine_filters(query.date_filter(self._s, date_from, date_to), query.speaker_filter(speakers))

    def _run(self, compiled: query.Compiled, flt: Any, sort: Sort, limit: int, notes: list[str],
             everything: bool = False) -> tuple[int, list[tuple[int, float]]]:
        """Rank `compiled` within `flt`; no words match what the filter lets through (every document with
        `everything`, unfiltered: no filter set of the whole index is collected or cached)."""
        q = compiled.query
        if q is None:
            if flt is None and not everything:
                return 0, []
            q = query.everything()
        q, cut = expansion.bound(self._s, q)
        notes.extend(cut)
        return query.run(self._s, q, flt, sort=sort, limit=limit)

    def suggest(self, tree: Node | None) -> dict[str, str]:
        """Close spellings from the index's words for query words it does not contain."""
        return query.suggest(self._s, tree)

    def doc_count(self) -> int:
        """Live documents."""
        return self._s.doc_count()

    def year_span(self) -> tuple[int, int] | None:
        """First and last year with dated documents."""
        return index.year_span(self._s)

    def date_span(self) -> tuple[datetime | None, datetime | None]:
        """Earliest and latest document dates."""
        return index.date_stats(self._s)[:2]

    def undated_count(self) -> int:
        """Live documents without a date."""
        return index.date_stats(self._s)[2]


class Reader(_Base[StoredDoc]):
    """The article index."""

    def _fetch(self, docnum: int) -> StoredDoc:
        return index.stored_doc(self._s.stored_fields(docnum))

    def matching(self, tree: Node | None, *, match_all: bool = True, date_from: datetime | None = None,
                 date_to: datetime | None = None, speakers: Sequence[str] = ()) -> Iterator[StoredDoc]:
        """Every document matching the query and filters (best first; newest first for filters alone), or
        every document when neither is given."""
        if tree is None and self._filter(date_from, date_to, speakers) is None:
            yield from self.documents()
            return
        ranked = self.search(tree, match_all=match_all, date_from=date_from, date_to=date_to, speakers=speakers,
                             sort="auto", limit=max(1, self.doc_count()))
        for doc, _score in ranked.hits:
            yield doc

    def day_counts(self, tree: Node | None, *, match_all: bool = True, date_from: datetime | None = None,
                   date_to: datetime | None = None, speakers: Sequence[str] = ()) -> DayCounts:
        """How many documents matching the query and filters fall on each day, and how many are undated
        (the same matches as `search`'s total, without ranking them or reading a stored field)."""
        docs = self._matched(tree, match_all, date_from, date_to, speakers)
        days, undated = facets.days_of(self._days(), docs)
        return DayCounts(dict(days), undated)

    def speaker_day_counts(self, tree: Node | None, *, match_all: bool = True, date_from: datetime | None = None,
                           date_to: datetime | None = None, speakers: Sequence[str] = ()) -> dict[str, dict[date, int]]:
        """For each speaker quoted in the matching documents, how many of them quote that speaker each day."""
        docs = self._matched(tree, match_all, date_from, date_to, speakers)
        return {name: dict(days) for name, days in facets.speakers_by_day(self._s, self._days(), docs).items()}

    def _days(self) -> list[int]:
        """Every document's day, read once per open index."""
        if self._day_ordinals is None:
            self._day_ordinals = facets.day_ordinals(self._s)
        return self._day_ordinals

    def _matched(self, tree: Node | None, match_all: bool, date_from: datetime | None, date_to: datetime | None,
                 speakers: Sequence[str]) -> set[int]:
        q = query.compile_query(tree, match_all=match_all, fields=self.FIELDS).query
        if q is not None:
            q, _cut = expansion.bound(self._s, q)  # the same matches as `search` counts
        return facets.matched(self._s, q, self._filter(date_from, date_to, speakers))

    def count_stories(self, tree: Node | None, *, version: str, groups: Callable[[], Mapping[str, str]],
                      match_all: bool = True, date_from: datetime | None = None, date_to: datetime | None = None,
                      speakers: Sequence[str] = ()) -> int:
        """How many distinct stories the matches of the query and filters make: matching articles in one group
        (`groups()`: article id -> group name, named by `version`; others are stories of their own) count once."""
        docs = self._matched(tree, match_all, date_from, date_to, speakers)
        return stories.count(docs, stories.groups_by_doc(self._s, self.index_dir, version, groups))

    def prime_stories(self, version: str, groups: Callable[[], Mapping[str, str]]) -> None:
        """Make the group map `count_stories` needs now (after an update), not at the next search."""
        stories.groups_by_doc(self._s, self.index_dir, version, groups)

    def document_frequencies(self, words: Sequence[str]) -> dict[str, int]:
        """How many documents hold each (stemmed) word in their body."""
        reader = self._s.reader()
        return {w: reader.doc_frequency("body", w) for w in words}

    def by_source(self, path: str) -> list[StoredDoc]:
        """The documents read from the file at absolute `path` (several for a JSON Lines file), in index order."""
        return [self._fetch(n) for n in sorted(self._s.document_numbers(source=path))]

    def get(self, doc_id: str) -> StoredDoc | None:
        """The stored document with this id (or this key), or None."""
        for fieldname in ("id", "key"):
            docnum = self._s.document_number(**{fieldname: doc_id})
            if docnum is not None:
                return self._fetch(docnum)
        return None

    def documents(self) -> Iterator[StoredDoc]:
        """Every live document, in index order."""
        for fields in self._s.all_stored_fields():
            yield index.stored_doc(fields)

    def speaker_counts(self, limit: int | None = None) -> list[SpeakerCount]:
        """Speakers by number of articles (see `index.speaker_counts`)."""
        return index.speaker_counts(self._s, limit)


class QuoteReader(_Base["StoredQuote"]):
    """The quotes index: one document per attributed statement."""

    NAME = QUOTES_NAME
    FIELDS = query.QUOTE_FIELDS

    def __init__(self, index_dir: Path) -> None:
        super().__init__(index_dir)
        self._articles: Reader | None = None  # the article index, opened for the first hit
        self._by_key: dict[str, StoredDoc | None] = {}

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._articles is not None:
                self._articles.close()
                self._articles = None

    def _fetch(self, docnum: int) -> StoredQuote:
        fields = self._s.stored_fields(docnum)
        return index.stored_quote(fields, self._article(fields.get("article", "")))

    def _article(self, key: str) -> StoredDoc | None:
        """The stored article of this key (a statement's id, title and file are its article's)."""
        if key not in self._by_key:
            if self._articles is None:
                self._articles = Reader(self.index_dir)
            docnum = self._articles._s.document_number(key=key)
            self._by_key[key] = None if docnum is None else self._articles._fetch(docnum)
        return self._by_key[key]

    def of_article(self, doc: StoredDoc) -> list[StoredQuote]:
        """An article's statements, in text order."""
        fields = (self._s.stored_fields(n) for n in self._s.document_numbers(article_id=doc.id))
        quotes = [index.stored_quote(f, doc) for f in fields if f.get("article") == doc.key]
        return sorted(quotes, key=lambda q: q.start)


def match_spec(tree: Node | None) -> MatchSpec:
    """What to highlight for a query's syntax tree."""
    return query.match_spec(tree)


check: Callable[[Path], None] = index.check
check_version: Callable[[Path], None] = index.check_version
doc_count: Callable[[Path], int] = index.doc_count
index_size: Callable[[Path], int] = index.index_size
last_update: Callable[[Path], datetime | None] = index.last_update


def __getattr__(name: str) -> Any:
    """`WriteSession` and `Workers`, imported when first asked for: a search never loads the write path."""
    if name == "WriteSession":
        from searchkit.engine.session import WriteSession

        return WriteSession
    if name == "Workers":
        from searchkit.engine.workers import Workers

        return Workers
    raise AttributeError(name)
