"""Searching an index: ranked, filtered, paginated hits with snippets, plus lookups over stored documents.

`Searcher` opens the index once; every method returns searchkit records (never Whoosh objects).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from searchkit import querylang, snippets
from searchkit.engine import index, query
from searchkit.errors import ArticleNotFound, InvalidQuery
from searchkit.results import Hit, IndexStats, QuoteHit, SearchResult, Snippet, SpeakerCount, Statement, StoredDoc

Sort = Literal["relevance", "newest", "oldest"]
Match = Literal["all", "any"]
MAX_LIMIT = 10_000


class Searcher:
    """An open index, ready for many searches."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._ctx = index.searching(index_dir)
        self._s: Any = self._ctx.__enter__()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Release the index."""
        self._ctx.__exit__(None, None, None)

    def search(self, text: str, *, date_from: datetime | None = None, date_to: datetime | None = None,
               speakers: Sequence[str] = (), sort: Sort = "relevance", limit: int = 10, page: int = 1,
               match: Match = "all", query_id: str | None = None) -> SearchResult:
        """Run one query; with `match="all"` and nothing found, fall back to any-word ranking."""
        if limit < 1 or page < 1:
            raise InvalidQuery("--limit and --page must be at least 1")
        limit = min(limit, MAX_LIMIT)
        parsed = querylang.parse(text)
        flt = query.combine_filters(query.date_filter(self._s, date_from, date_to),
                                    query.speaker_filter(speakers))
        compiled = query.compile_query(parsed.tree, match_all=(match == "all"))
        fallback = False
        total, top = self._run(compiled, flt, sort, page * limit)
        if total == 0 and match == "all" and parsed.tree is not None:
            any_compiled = query.compile_query(parsed.tree, match_all=False)
            if any_compiled.query != compiled.query:
                total, top = self._run(any_compiled, flt, sort, page * limit)
                fallback = total > 0
        hits = tuple(self._hit(rank, docnum, score, compiled.spec)
                     for rank, (docnum, score) in enumerate(top[(page - 1) * limit:], (page - 1) * limit + 1))
        suggestion = self._suggestion(text, parsed.tree) if total == 0 else None
        return SearchResult(query=text, total=total, page=page, hits=hits, fallback_any=fallback,
                            suggestion=suggestion, query_id=query_id)

    def search_many(self, queries: Iterable[tuple[str, str]], **options: Any) -> Iterator[SearchResult]:
        """Run `(query_id, text)` pairs in turn with the same options (one open index for all)."""
        for query_id, text in queries:
            yield self.search(text, query_id=query_id, **options)

    def _run(self, compiled: query.Compiled, flt: Any, sort: Sort, limit: int) -> tuple[int, list[tuple[int, float]]]:
        q = compiled.query
        if q is None:
            if flt is None:
                return 0, []
            q = query.everything()
        return query.run(self._s, q, flt, sort=sort, limit=limit)

    def _hit(self, rank: int, docnum: int, score: float, spec: snippets.MatchSpec) -> Hit:
        doc = index.stored_doc(self._s.stored_fields(docnum))
        return Hit(rank=rank, id=doc.id, path=doc.source, title=doc.title, date=doc.date, speakers=doc.speakers,
                   score=round(score, 4), snippet=snippets.make_snippet(doc.body, spec), roles=doc.roles)

    def _suggestion(self, text: str, tree: querylang.Node | None) -> str | None:
        fixes = query.suggest(self._s, tree)
        if not fixes:
            return None
        out = text
        for wrong, right in fixes.items():
            out = re.sub(rf"(?i)\b{re.escape(wrong)}\b", right, out)
        return out if out != text else None

    def get(self, doc_id: str) -> StoredDoc:
        """The stored document with this id (or this key)."""
        for fieldname in ("id", "key"):
            docnum = self._s.document_number(**{fieldname: doc_id})
            if docnum is not None:
                return index.stored_doc(self._s.stored_fields(docnum))
        raise ArticleNotFound(f"no article with id {doc_id!r}")

    def documents(self) -> Iterator[StoredDoc]:
        """Every live document, in index order."""
        for fields in self._s.all_stored_fields():
            yield index.stored_doc(fields)

    def speaker_counts(self, limit: int | None = None) -> list[SpeakerCount]:
        """Speakers by number of articles; a bare surname merges into the one full name ending in it."""
        return index.speaker_counts(self._s, limit)

    def stats(self, top: int = 10) -> IndexStats:
        """Document count, date span, size, last update and top speakers."""
        earliest, latest = index.date_span(self._s)
        return IndexStats(path=str(self.index_dir), documents=self._s.doc_count(), earliest=earliest, latest=latest,
                          size_bytes=index.index_size(self.index_dir), last_update=index.last_update(self.index_dir),
                          top_speakers=tuple(self.speaker_counts(top)))

    # --- lookups for the command line's `show PATH` and `export` (appended: cli helper) ---------------

    def by_source(self, path: str) -> list[StoredDoc]:
        """The documents read from the file at absolute `path` (several for a JSON Lines file)."""
        return [index.stored_doc(self._s.stored_fields(n)) for n in sorted(self._s.document_numbers(source=path))]

    def matching(self, text: str, *, date_from: datetime | None = None, date_to: datetime | None = None,
                 speakers: Sequence[str] = (), match: Match = "all") -> Iterator[StoredDoc]:
        """Every document matching the query and filters (best first), or every document when neither is given."""
        parsed = querylang.parse(text)
        flt = query.combine_filters(query.date_filter(self._s, date_from, date_to), query.speaker_filter(speakers))
        if parsed.tree is None and flt is None:
            yield from self.documents()
            return
        compiled = query.compile_query(parsed.tree, match_all=(match == "all"))
        sort: Sort = "relevance" if compiled.query is not None else "newest"
        _total, top = self._run(compiled, flt, sort, max(1, self._s.doc_count()))
        for docnum, _score in top:
            yield index.stored_doc(self._s.stored_fields(docnum))


def read_queries(path: Path) -> list[tuple[str, str]]:
    """Queries from a file: `id<TAB>query` lines, or bare queries numbered by line; blank lines skipped."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        if not line.strip():
            continue
        qid, sep, text = line.partition("\t")
        out.append((qid.strip(), text) if sep else (str(n), line))
    return out


def search_quotes(index_dir: Path, text: str, *, speakers: Sequence[str] = (), date_from: datetime | None = None,
                  date_to: datetime | None = None, limit: int = 10, match: Match = "all") -> tuple[int, list[QuoteHit]]:
    """Attributed statements matching `text` (all words by default), optionally by speaker and date."""
    parsed = querylang.parse(text)
    compiled = query.compile_query(parsed.tree, match_all=(match == "all"), fields=query.QUOTE_FIELDS)
    with index.searching(index_dir, index.QUOTES_NAME) as s:
        flt = query.combine_filters(query.date_filter(s, date_from, date_to), query.speaker_filter(speakers))
        q = compiled.query if compiled.query is not None else (query.everything() if flt is not None else None)
        if q is None:
            return 0, []
        total, top = query.run(s, q, flt, sort="relevance" if compiled.query is not None else "newest", limit=limit)
        hits = [_quote_hit(rank, s.stored_fields(docnum), score, compiled.spec)
                for rank, (docnum, score) in enumerate(top, 1)]
    return total, hits


def _quote_hit(rank: int, fields: dict[str, Any], score: float, spec: snippets.MatchSpec) -> QuoteHit:
    return QuoteHit(rank=rank, article_id=fields.get("article_id", ""), title=fields.get("title", ""),
                    date=fields.get("date"), speaker=fields.get("name", ""), role=fields.get("role"),
                    score=round(score, 4), snippet=snippets.make_snippet(fields.get("text", ""), spec, max_chars=400),
                    path=fields.get("source", ""))


def highlight_document(doc: StoredDoc, text: str) -> tuple[Snippet, Snippet]:
    """The title and body of `doc` with the matches of query `text` highlighted."""
    spec = query.match_spec(querylang.parse(text).tree)
    return snippets.highlight_all(doc.title, spec), snippets.highlight_all(doc.body, spec)


class Statements:
    """The attributed statements of stored articles, looked up one article at a time (for `export`)."""

    def __init__(self, index_dir: Path) -> None:
        self._ctx = index.searching(index_dir, index.QUOTES_NAME)
        self._s: Any = self._ctx.__enter__()

    def __enter__(self) -> Statements:
        return self

    def __exit__(self, *exc: object) -> None:
        self._ctx.__exit__(None, None, None)

    def of(self, doc: StoredDoc) -> list[Statement]:
        """`doc`'s statements in text order."""
        prefix = doc.key + "#q"
        rows = [f for f in (self._s.stored_fields(n) for n in self._s.document_numbers(article_id=doc.id))
                if f.get("key", "").startswith(prefix)]
        rows.sort(key=lambda f: f.get("start") or 0)
        return [Statement(speaker=f.get("name", ""), role=f.get("role"), text=f.get("text", ""),
                          start=f.get("start") or 0, direct=bool(f.get("direct", True))) for f in rows]
