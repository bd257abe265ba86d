"""Searching an index: ranked, filtered, paginated hits with snippets, plus lookups over stored documents.

`Searcher` opens the index once; every method returns searchkit records (never Whoosh objects).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from searchkit import querylang, snippets
from searchkit.engine import api
from searchkit.errors import ArticleNotFound, InvalidQuery
from searchkit.results import Hit, MatchSpec, SearchResult, Snippet, StoredDoc
from searchkit.speakers.store import Names

if TYPE_CHECKING:
    from searchkit.reports import IndexStats, QuoteHit, SpeakerCount, Statement, StoredQuote
    from searchkit.timeline import Timeline

Sort = Literal["relevance", "newest", "oldest"]
Match = Literal["all", "any"]
MAX_LIMIT = 10_000


class Searcher:
    """An open index, ready for many searches."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._reader = api.Reader(index_dir)
        self._names: Names | None = Names.open(index_dir)  # canonical speaker names (None: an older index)
        self._unsnipped: tuple[MatchSpec, dict[str, str]] | None = None  # the last search without snippets

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Release the index."""
        self._reader.close()
        if self._names is not None:
            self._names.close()

    def timeline(self, text: str, **options: Any) -> Timeline:
        """`timeline.of_query` over this index, with speakers under their canonical names."""
        from searchkit import timeline

        names = self._names
        if names is None:
            return timeline.of_query(self._reader, text, **options)
        return timeline.of_query(self._reader, text, canonical=names.canonical, forms=names.forms_of_all,
                                 companies=names.companies_among, **options)

    @property
    def engine_reader(self) -> api.Reader:
        """The engine's reader behind this searcher, for operations beyond search: similar articles, story
        counts, alerts, recency."""
        return self._reader

    def search(self, text: str, *, date_from: datetime | None = None, date_to: datetime | None = None,
               speakers: Sequence[str] = (), sort: Sort = "relevance", limit: int = 10, page: int = 1,
               match: Match = "all", query_id: str | None = None, snippets: bool = True) -> SearchResult:
        """Run one query; with `match="all"` and nothing found, fall back to any-word ranking. With
        `snippets=False` the hits' snippets are left empty, for `with_snippets` to make for the hits shown
        (a caller that fetches more hits than it shows, as `collapse` does, spares the others')."""
        if limit < 1 or page < 1:
            raise InvalidQuery("--limit and --page must be at least 1")
        limit = min(limit, MAX_LIMIT)
        parsed = querylang.parse(text)
        first = (page - 1) * limit + 1
        ranked = self._reader.search(parsed.tree, match_all=(match == "all"), fallback_any=True, date_from=date_from,
                                     date_to=date_to, speakers=_forms(self._names, speakers), sort=sort,
                                     offset=first - 1, limit=limit, everything=text.strip() == "*")
        hits = tuple(_hit(rank, doc, score, ranked.spec if snippets else None, self._names)
                     for rank, (doc, score) in enumerate(ranked.hits, first))
        # held for `with_snippets` after this search only (a later search must not leave an earlier one's bodies)
        self._unsnipped = None if snippets else (ranked.spec, {doc.id: doc.body for doc, _score in ranked.hits})
        suggestion = self._suggestion(text, parsed.tree) if ranked.total == 0 else None
        return SearchResult(query=text, total=ranked.total, page=page, hits=hits, fallback_any=ranked.fallback_any,
                            suggestion=suggestion, query_id=query_id, notes=(*parsed.notes, *ranked.notes))

    def with_snippets(self, hits: Iterable[Hit]) -> tuple[Hit, ...]:
        """Hits of the last search made with `snippets=False`, each with the snippet `search` would have
        given it."""
        if self._unsnipped is None:
            raise ValueError("with_snippets follows a search(..., snippets=False)")
        (spec, bodies), self._unsnipped = self._unsnipped, None
        return tuple(h._replace(snippet=snippets.make_snippet(bodies[h.id], spec)) for h in hits)

    def search_many(self, queries: Iterable[tuple[str, str]], **options: Any) -> Iterator[SearchResult]:
        """Run `(query_id, text)` pairs in turn with the same options (one open index for all)."""
        for query_id, text in queries:
            yield self.search(text, query_id=query_id, **options)

    def _suggestion(self, text: str, tree: querylang.Node | None) -> str | None:
        fixes = self._reader.suggest(tree)
        if not fixes:
            return None
        out = text
        for wrong, right in fixes.items():
            out = re.sub(rf"(?i)\b{re.escape(wrong)}\b", right, out)
        return out if out != text else None

    def get(self, doc_id: str) -> StoredDoc:
        """The stored document with this id (or this key)."""
        doc = self._reader.get(doc_id)
        if doc is None:
            raise ArticleNotFound(f"no article with id {doc_id!r}")
        return doc

    def documents(self) -> Iterator[StoredDoc]:
        """Every live document, in index order."""
        return self._reader.documents()

    def by_source(self, path: str) -> list[StoredDoc]:
        """The documents read from the file at absolute `path` (several for a JSON Lines file)."""
        return self._reader.by_source(path)

    def matching(self, text: str, *, date_from: datetime | None = None, date_to: datetime | None = None,
                 speakers: Sequence[str] = (), match: Match = "all") -> Iterator[StoredDoc]:
        """Every document matching the query and filters (best first), or every document when neither is given."""
        return self._reader.matching(querylang.parse(text).tree, match_all=(match == "all"), date_from=date_from,
                                     date_to=date_to, speakers=_forms(self._names, speakers))

    def speaker_counts(self, limit: int | None = None) -> list[SpeakerCount]:
        """Speakers by number of articles, under their canonical names (`speakers.canonical`: every recorded
        form of a person counts for that person); an index without a speaker table counts its own terms."""
        if self._names is not None:
            return self._names.counts(limit)
        return self._reader.speaker_counts(limit)

    def stats(self, top: int = 10) -> IndexStats:
        """Document count, date span, undated documents, size, last update and top speakers."""
        from searchkit.reports import IndexStats  # not a search's: made on first use

        earliest, latest = self._reader.date_span()
        return IndexStats(path=str(self.index_dir), documents=self._reader.doc_count(), earliest=earliest,
                          latest=latest, size_bytes=api.index_size(self.index_dir),
                          last_update=api.last_update(self.index_dir), top_speakers=tuple(self.speaker_counts(top)),
                          undated=self._reader.undated_count())


def _forms(names: Names | None, speakers: Sequence[str]) -> Sequence[str]:
    """A speaker filter matches every recorded form of the people it names."""
    return names.forms_of_all(speakers) if names is not None and speakers else speakers


_NO_SNIPPET = Snippet("")


def _hit(rank: int, doc: StoredDoc, score: float, spec: MatchSpec | None, names: Names | None) -> Hit:
    """A ranked document as a hit, with its snippet for `spec` (none without)."""
    speakers = names.canonical_all(doc.speakers) if names is not None else doc.speakers
    snippet = snippets.make_snippet(doc.body, spec) if spec is not None else _NO_SNIPPET
    return Hit(rank=rank, id=doc.id, path=doc.source, title=doc.title, date=doc.date, speakers=speakers,
               score=round(score, 4), snippet=snippet, roles=doc.roles, date_source=doc.date_source)


def read_queries(path: Path) -> list[tuple[str, str]]:
    """Queries from a file: `id<TAB>query` lines, or bare queries numbered by line; blank lines skipped.
    Lines end at `\n` (and `\r\n`) only: a form feed or a Unicode line separator is part of a query."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            content = f.read()
    except UnicodeDecodeError as exc:
        raise InvalidQuery(f"{path} is not UTF-8 text (byte {exc.start}): give one query per line") from None
    except OSError as exc:
        raise InvalidQuery(f"cannot read {path}: {exc.strerror or exc}") from None
    out = []
    for n, line in enumerate(content.split("\n"), 1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        qid, sep, text = line.partition("\t")
        out.append((qid.strip(), text) if sep else (str(n), line))
    return out


def search_quotes(index_dir: Path, text: str, *, speakers: Sequence[str] = (), date_from: datetime | None = None,
                  date_to: datetime | None = None, limit: int = 10, match: Match = "all") -> tuple[int, list[QuoteHit]]:
    """Attributed statements matching `text` (all words by default), optionally by speaker and date; a filter
    alone lists the newest statements."""
    tree = querylang.parse(text).tree
    names = Names.open(index_dir)
    try:
        with api.QuoteReader(index_dir) as reader:
            ranked = reader.search(tree, match_all=(match == "all"), date_from=date_from, date_to=date_to,
                                   speakers=_forms(names, speakers), sort="auto", limit=limit)
        hits = [_quote_hit(rank, quote, score, ranked.spec, names)
                for rank, (quote, score) in enumerate(ranked.hits, 1)]
    finally:
        if names is not None:
            names.close()
    return ranked.total, hits


def _quote_hit(rank: int, quote: StoredQuote, score: float, spec: MatchSpec, names: Names | None) -> QuoteHit:
    from searchkit.reports import QuoteHit  # not a search's: made on first use

    speaker = names.canonical(quote.speaker) if names is not None else quote.speaker
    return QuoteHit(rank=rank, article_id=quote.article_id, title=quote.title, date=quote.date,
                    speaker=speaker, role=quote.role, score=round(score, 4),
                    snippet=snippets.make_snippet(quote.text, spec, max_chars=400), path=quote.source)


def highlight_document(doc: StoredDoc, text: str) -> tuple[Snippet, Snippet]:
    """The title and body of `doc` with the matches of query `text` highlighted."""
    spec = api.match_spec(querylang.parse(text).tree)
    return snippets.highlight_all(doc.title, spec), snippets.highlight_all(doc.body, spec)


class Statements:
    """The attributed statements of stored articles, looked up one article at a time (for `export`)."""

    def __init__(self, index_dir: Path) -> None:
        self._reader = api.QuoteReader(index_dir)

    def __enter__(self) -> Statements:
        return self

    def __exit__(self, *exc: object) -> None:
        self._reader.close()

    def of(self, doc: StoredDoc) -> list[Statement]:
        """`doc`'s statements in text order."""
        from searchkit.reports import Statement  # not a search's: made on first use

        return [Statement(speaker=q.speaker, role=q.role, text=q.text, start=q.start, direct=q.direct)
                for q in self._reader.of_article(doc)]
