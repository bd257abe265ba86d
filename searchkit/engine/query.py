"""Compile parsed queries and filters to Whoosh queries, and run them.

Unquoted words search the stemmed title and body fields (stopwords dropped); quoted phrases, prefixes
and fuzzy words search the exact fields, so `"diplomatic settlements"` never matches "settlement".
Filters (dates, speakers) are built as term queries and passed as Whoosh filters, never parsed from text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from whoosh import query as wq
from whoosh.matching.binary import AndNotMatcher

from searchkit import analysis, terms
from searchkit.engine import bulkscore, index, postings, ranking
from searchkit.engine.lengths import cache_of
from searchkit.querylang import AnyOf, Group, Node, Not, Phrase, Word, leaves
from searchkit.results import MatchSpec

ARTICLE_FIELDS: dict[str | None, tuple[str, ...]] = {None: ("title", "body"), "title": ("title",), "body": ("body",)}
QUOTE_FIELDS: dict[str | None, tuple[str, ...]] = {None: ("text",), "title": ("text",), "body": ("text",)}
MAX_SPAN_YEARS = 50
_PERIOD = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

_and_not_next = AndNotMatcher._find_next


def _and_not_find_next(self: AndNotMatcher) -> bool:
    """Whoosh 2.7.4's `AndNotMatcher.skip_to` looks for the next match even when skipping exhausted its
    positive side, and reads that side's id past its end (an IndexError: `NOT market* AND "crude oil"~3
    z~2`); an exhausted side has no next match."""
    return _and_not_next(self) if self.a.is_active() else False


def _and_not_find_first(self: AndNotMatcher) -> None:
    """Whoosh 2.7.4's `AndNotMatcher` skips its first excluded document only when the negative side starts
    on the same id; when it starts earlier ("oil NOT date:2023": the first oil article is the second of
    2023) that document was a hit, though counted out of the total. Moving the negative side up is
    `_find_next`'s job."""
    if self.a.is_active() and self.b.is_active():
        self._find_next()


AndNotMatcher._find_next = _and_not_find_next
AndNotMatcher._find_first = _and_not_find_first


class Compiled(NamedTuple):
    """A Whoosh query plus what snippets need to highlight its matches."""

    query: wq.Query | None
    spec: MatchSpec


def _or(queries: Sequence[wq.Query]) -> wq.Query | None:
    qs = [q for q in queries if q is not None]
    if not qs:
        return None
    return qs[0] if len(qs) == 1 else wq.Or(qs)


def _and(queries: Sequence[wq.Query]) -> wq.Query | None:
    qs = [q for q in queries if q is not None]
    if not qs:
        return None
    return qs[0] if len(qs) == 1 else wq.And(qs)


class Compiler:
    """Turns a syntax tree into a Whoosh query; `match_all` sets the default operator."""

    def __init__(self, match_all: bool, keep_stopwords: bool = False,
                 fields: dict[str | None, tuple[str, ...]] = ARTICLE_FIELDS) -> None:
        self.match_all = match_all
        self.keep_stopwords = keep_stopwords
        self.fields = fields

    def compile(self, node: Node | None) -> wq.Query | None:
        if node is None:
            return None
        if isinstance(node, Word):
            return self.word(node)
        if isinstance(node, Phrase):
            return self.phrase(node)
        if isinstance(node, AnyOf):
            return _or([self.compile(x) for x in node.items])
        if isinstance(node, Not):
            inner = self.compile(node.item)
            return wq.AndNot(wq.Every(), inner) if inner is not None else None
        return self.group(node)

    def group(self, node: Group) -> wq.Query | None:
        pos = [self.compile(x) for x in node.items if not isinstance(x, Not)]
        neg = [self.compile(x.item) for x in node.items if isinstance(x, Not)]
        positive = (_and if node.all or self.match_all else _or)(pos)
        negative = _or(neg)
        if negative is None:
            return positive
        return wq.AndNot(positive if positive is not None else wq.Every(), negative)

    def word(self, node: Word) -> wq.Query | None:
        if node.field in ("speaker", "date", "id"):
            return _keyword(node.field, node.text, node.prefix)
        fields = self.fields[node.field]
        if node.prefix:
            return _or([wq.Prefix(f + "_exact", analysis.fold(node.text)) for f in fields])
        parts, joined = terms.word_parts(node.text)
        if not parts:
            return None
        if node.fuzzy:
            return _or([wq.FuzzyTerm(f + "_exact", parts[0], maxdist=node.fuzzy, prefixlength=1) for f in fields])
        if len(parts) == 1:
            word = parts[0]
            if word in analysis.STOPWORDS:
                return _or([wq.Term(f + "_exact", word) for f in fields]) if self.keep_stopwords else None
            return _or([wq.Term(f, analysis.stem(word), boost=_boost(f)) for f in fields])
        phrase = _or([wq.Phrase(f + "_exact", parts) for f in fields])
        if joined:
            return _or([*(wq.Term(f, analysis.stem(joined), boost=_boost(f)) for f in fields), phrase])
        return phrase

    def phrase(self, node: Phrase) -> wq.Query | None:
        if node.field in ("speaker", "date", "id"):
            return _keyword(node.field, node.text, False)
        fields = self.fields[node.field]
        parts, _joined = terms.word_parts(node.text)
        if not parts:
            return None
        if len(parts) == 1:
            return _or([wq.Term(f + "_exact", parts[0]) for f in fields])
        return _or([wq.Phrase(f + "_exact", parts, slop=node.slop + 1) for f in fields])


def _boost(fieldname: str) -> float:
    """Query-time weight of a field (titles count more)."""
    return ranking.TITLE_BOOST if fieldname.startswith("title") else 1.0


def _keyword(fieldname: str, text: str, prefix: bool) -> wq.Query | None:
    """Queries on the keyword fields: speakers (folded names), dates (periods), ids (verbatim)."""
    if fieldname == "id":
        return wq.Prefix("id", text) if prefix else wq.Term("id", text)
    if fieldname == "date":
        return wq.Term("period", text) if _PERIOD.match(text) else None
    name = terms.speaker_query_term(text)
    if name is None:
        return None
    return wq.Prefix("speaker", name) if prefix else wq.Term("speaker", name)


def compile_query(tree: Node | None, *, match_all: bool,
                  fields: dict[str | None, tuple[str, ...]] = ARTICLE_FIELDS) -> Compiled:
    """Compile a tree; a query of stopwords only searches them as exact words."""
    q = Compiler(match_all, fields=fields).compile(tree)
    if q is None and tree is not None:
        q = Compiler(match_all, keep_stopwords=True, fields=fields).compile(tree)
    return Compiled(q, match_spec(tree))


def match_spec(tree: Node | None) -> MatchSpec:
    """What to highlight for a tree: stems of words, prefixes, fuzzy words and phrases."""
    stems: set[str] = set()
    words: set[str] = set()
    prefixes: list[str] = []
    phrases: list[tuple[str, ...]] = []
    for leaf in leaves(tree):
        if leaf.field in ("speaker", "date", "id"):
            continue
        parts, joined = terms.word_parts(leaf.text)
        if isinstance(leaf, Phrase):
            if len(parts) == 1:
                words.add(parts[0])
            elif parts:
                phrases.append(tuple(parts))
        elif leaf.prefix:
            prefixes.append(analysis.fold(leaf.text))
        elif leaf.fuzzy:
            words.update(parts)
        elif len(parts) == 1:
            stems.add(analysis.stem(parts[0]))
        elif parts:
            phrases.append(tuple(parts))
            if joined:
                stems.add(analysis.stem(joined))
    return MatchSpec(stems=frozenset(stems), words=frozenset(words), prefixes=tuple(prefixes),
                     phrases=tuple(phrases))


def date_filter(searcher: Any, start: datetime | None, end: datetime | None) -> wq.Query | None:
    """Documents dated from `start` to `end` (inclusive, by day), as period terms.

    An open end is closed at the index's first or last year; so is a range of more than `MAX_SPAN_YEARS`
    (its period terms would be looked up one by one).
    """
    if start is None and end is None:
        return None
    first = start.date() if start else None
    last = end.date() if end else None
    if first is None or last is None or (last - first).days > 366 * MAX_SPAN_YEARS:
        span = index.year_span(searcher)
        if span is None:
            return wq.NullQuery
        first = max(first or date.min, date(span[0], 1, 1))
        last = min(last or date.max, date(span[1], 12, 31))
    if first > last:
        return wq.NullQuery
    return _or([wq.Term("period", t) for t in terms.day_range_terms(first, last)])


def speaker_filter(names: Sequence[str]) -> wq.Query | None:
    """Documents quoting any of `names` (full name or surname, case- and accent-insensitive)."""
    return _or([_keyword("speaker", n, False) for n in names])


def everything() -> wq.Query:
    """Every document (for a filter-only search)."""
    return wq.Every()


def combine_filters(*filters: wq.Query | None) -> wq.Query | None:
    """All of the given filters."""
    return _and([f for f in filters if f is not None])


def run(searcher: Any, q: wq.Query, flt: wq.Query | None, *, sort: str,
        limit: int) -> tuple[int, list[tuple[int, float]]]:
    """Run a query: the exact number of matches and the first `limit` (docnum, score) pairs.

    The filter's documents are collected once, as a set. Queries the bulk scorer handles (nearly all) are
    scored there, exhaustively; the rest go to Whoosh's collector, with the total counted from document-id
    sets (Whoosh's own recount ignores the filter).
    """
    allowed, parts = filter_docs(searcher, flt) if flt is not None else (None, None)
    if allowed is not None and not allowed:
        return 0, []  # Whoosh reads an empty filter set as "no filter"
    matches: list[tuple[int, bulkscore.Scores]] = []
    found = bulkscore.top_docs(searcher, q, allowed, limit, sort, parts, matches)  # whole posting lists at once
    if found is not None:
        if matches:  # every match, scored: kept for a count of this query's stories (`last_matches`)
            cache_of(searcher).matches = (_matches_key(q, flt), matches)
        return found
    if sort != "relevance":  # by date, undated last, the bulk scorer's order
        matched = docset(searcher, q)
        matched = matched if allowed is None else matched & allowed
        return len(matched), bulkscore.by_date(searcher, matched, limit, newest=(sort == "newest"))
    exhaustive = _has_phrase(q)  # a phrase must be verified in every candidate anyway: count while ranking
    results = searcher.search(q, limit=limit, filter=allowed, optimize=not exhaustive)
    if exhaustive:
        total = len(results)  # exact: the non-skipping collector counted the filtered matches
    else:
        matched = docset(searcher, q)
        total = len(matched if allowed is None else matched & allowed)
    return total, [(docnum, score) for score, docnum in _items(results)]


FILTER_CACHE_DOCS = 250_000
"""How many filter documents an open searcher keeps, over its most recently used filters (~25 MB; a year of
10^5 articles is ~16,000, a speaker a few hundred). Analysts run many searches over the same periods and
people; reading a filter's postings again each time cost as much as a one-word search itself. A searcher
sees one snapshot of the index, so its cache never goes stale."""


def filter_docs(searcher: Any, flt: wq.Query) -> tuple[set[int], bulkscore.Parts]:
    """The filter's live documents, and their share in each segment (cached on the searcher)."""
    cache: dict[str, tuple[set[int], bulkscore.Parts]] = cache_of(searcher).filters
    key = repr(flt)
    found = cache.pop(key, None)
    if found is None:
        allowed = docset(searcher, flt)
        found = allowed, bulkscore.split_by_segment(searcher, allowed)
    cache[key] = found  # (re)inserted last: most recently used
    held = sum(len(docs) + 1 for docs, _parts in cache.values())  # an empty filter still takes an entry
    while held > FILTER_CACHE_DOCS and len(cache) > 1:
        held -= len(cache.pop(next(iter(cache)))[0]) + 1  # the least recently used
    return found


def _has_phrase(q: wq.Query) -> bool:
    if isinstance(q, wq.Phrase):
        return True
    return any(_has_phrase(sub) for sub in q.children()) if q.is_leaf() is False else False


def _matches_key(q: wq.Query, flt: wq.Query | None) -> str:
    return f"{q!r}\n{flt!r}"


def last_matches(searcher: Any, q: wq.Query, flt: wq.Query | None) -> set[int] | None:
    """The live documents matching `q` within `flt`, when the last query `run` scored in full was this one
    (a search's story count follows the search: collecting the matches again cost ~14 ms at 10^5 articles)."""
    kept = cache_of(searcher).matches
    if kept is None or kept[0] != _matches_key(q, flt):
        return None
    return {d + offset for offset, scores in kept[1] for d in scores}


def docset(searcher: Any, q: wq.Query) -> set[int]:
    """Live documents matching `q`, by set algebra over its clauses (cheaper than stepping Whoosh's
    union and intersection matchers); phrases and other leaves ask Whoosh."""
    if isinstance(q, wq.Or):
        return set().union(*(docset(searcher, sub) for sub in q.subqueries))
    if isinstance(q, wq.And):
        sets = sorted((docset(searcher, sub) for sub in q.subqueries), key=len)
        return sets[0].intersection(*sets[1:]) if sets else set()
    if isinstance(q, wq.AndNot):
        return docset(searcher, q.a) - docset(searcher, q.b)
    if type(q) is wq.Term:
        found = postings.term_docs(searcher, q.fieldname, q.text)
        if found is not None:
            return found
    return set(searcher.docs_for_query(q))


def _items(results: Any) -> list[tuple[float, int]]:
    return [(results.score(i) or 0.0, results.docnum(i)) for i in range(results.scored_length())]


MAX_SUGGESTED = 5


def suggest(searcher: Any, tree: Node | None) -> dict[str, str]:
    """Close spellings from the index vocabulary for query words the index does not contain.

    Candidates share the first two letters: comparing against the whole lexicon took seconds at 10k docs.
    Only the first `MAX_SUGGESTED` unknown words are looked up (each walks the lexicon).
    """
    corrector = searcher.corrector("body_exact")
    fixes: dict[str, str] = {}
    reader = searcher.reader()
    tried = 0
    for leaf in leaves(tree):
        if not isinstance(leaf, Word) or leaf.prefix or leaf.fuzzy or leaf.field not in (None, "title", "body"):
            continue
        for word in terms.word_parts(leaf.text)[0]:
            if reader.doc_frequency("body_exact", word) or reader.doc_frequency("title_exact", word):
                continue
            tried += 1
            if tried > MAX_SUGGESTED:
                return fixes
            found = corrector.suggest(word, limit=1, maxdist=2, prefix=min(2, len(word) - 1))
            if found:
                fixes[word] = found[0]
    return fixes
