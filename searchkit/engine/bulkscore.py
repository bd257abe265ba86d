"""Whole-posting-list BM25F: the fast path for the commonest searches.

Whoosh scores one posting at a time through a tree of matcher objects, a few microseconds each; a common
word in 10^5 news articles matches half of them, and BM25's saturation keeps block-max skipping from
pruning (every block may hold a top-10 score). Here a query made of terms and exact phrases joined by
`And`, `Or` and `AndNot` is evaluated term-at-a-time instead: each term's postings are read whole
(`postings.py`), scored in list and dict comprehensions, and the clauses combined with dict and set
operations; `And` finds its common documents before scoring, and a phrase is checked from the positions
of those candidates only. A single word scores only the runs of postings whose stored bound (`codec`) can
still reach the top results.

Scores are the ones `ranking.BM25FScorer` gives, computed with the same formulas in the same order
(each field's increment on top of the earlier fields of its group; a phrase scores the sum of its words,
as Whoosh's span matcher does), so totals and rankings match Whoosh's; only the order in which clause
scores are summed may differ (Whoosh nests its matchers by estimated size), in the last bit. Ties are
broken by lower document number, as Whoosh's collector does. Prefixes and fuzzy words are the terms they
expand to, ORed, as in Whoosh. Anything else (phrases with a slop, fields outside the BM25F groups)
returns `None` and runs through Whoosh.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from itertools import compress, count, pairwise, repeat
from operator import le, rshift
from typing import Any, NamedTuple

from whoosh import query as wq

from searchkit import terms
from searchkit.engine import postings, ranking
from searchkit.engine.codec import KEY_SHIFT
from searchkit.engine.lengths import BYTE_LENGTHS
from searchkit.engine.postings import Postings, Unsupported
from searchkit.engine.schema import paired_fields

Scores = dict[int, float]  # segment-local document number -> score


class Share(NamedTuple):
    """One segment's share of a filter, in the segment's own document numbers."""

    docs: list[int]  # ascending
    members: set[int]  # the same, as a set
    spans: list[tuple[int, int]] | None  # the same as ranges `(first, last)`, when few (see `_spans`)


Parts = list[Share]  # a filter's share in each segment


def split_by_segment(searcher: Any, allowed: set[int]) -> Parts:
    """Each segment's share of a set of global document numbers, in the segment's own numbers."""
    ordered = sorted(allowed)
    parts = []
    for reader, offset in searcher.reader().leaf_readers():
        lo, hi = bisect_left(ordered, offset), bisect_left(ordered, offset + reader.doc_count_all())
        local = ordered[lo:hi] if not offset else list(map((-offset).__add__, ordered[lo:hi]))
        spans = _spans(local)
        parts.append(Share(local, set(local), spans if len(spans) * 8 <= len(local) else None))
    return parts


def _spans(docs: list[int]) -> list[tuple[int, int]]:
    """Ascending numbers as ranges of consecutive numbers `(first, last)`. Files are read in path order, so
    in an archive foldered by date a period is one range or a few per segment; a share is kept as ranges
    only when they are few (a speaker's articles are scattered: ~800 ranges for ~900 documents)."""
    cuts = [i for i, a, b in zip(count(1), docs, docs[1:]) if b - a != 1]
    return [(docs[i], docs[j - 1]) for i, j in zip([0, *cuts], [*cuts, len(docs)], strict=True)] if docs else []


def top_docs(searcher: Any, q: Any, allowed: set[int] | None, limit: int, sort: str = "relevance",
             parts: Parts | None = None, matches: list[tuple[int, Scores]] | None = None
             ) -> tuple[int, list[tuple[int, float]]] | None:
    """The number of matches and the first `limit` `(docnum, score)` pairs of a term query, best first or by
    date (`sort` "newest" or "oldest"; undated articles last, then by document number), or `None` when the
    query is not one this module evaluates. `allowed` (global document numbers) restricts the matches;
    `parts` is its `split_by_segment`, when already at hand. `matches`, when given, receives each segment's
    `(offset, scores)`: every match, when the query is evaluated in full (it stays empty for one word,
    whose postings are scored only in the runs that can reach the top).
    """
    model = searcher.weighting
    if not isinstance(model, ranking.BM25F):
        return None
    try:
        _check(q, searcher.schema, model)
        stats = _Stats(searcher, model, _phrase_words(q))
        total = 0
        best: list[tuple[float, int]] = []  # (score, -docnum): the heap order of Whoosh's top collector
        dated: list[tuple[tuple[bool, float, int], float]] = []  # ((undated, date key, docnum), score)
        if allowed is not None and parts is None:
            parts = split_by_segment(searcher, allowed)
        word = _group_word(q, model) if sort == "relevance" else None
        for n, (reader, offset) in enumerate(searcher.reader().leaf_readers()):
            share = parts[n] if parts is not None else None
            if word is not None:  # one word: score only the runs of postings that can reach the top
                found, best = _Segment(reader, stats).best_of_word(*word, share, offset, limit, best)
                total += found
                continue
            scores = _Segment(reader, stats).evaluate(q, share.members if share is not None else None)
            total += len(scores)
            if matches is not None:
                matches.append((offset, scores))
            if sort == "relevance":
                best = heapq.nlargest(limit, [*best, *_top(scores, offset, limit)])
            else:
                dated = heapq.nsmallest(limit, [*dated, *_by_date(reader, offset, scores, sort == "newest")])
    except Unsupported:
        return None
    if sort != "relevance":
        return total, [(key[2], score) for key, score in dated]
    return total, [(-neg, score) for score, neg in best]


def by_date(searcher: Any, docs: set[int], limit: int, newest: bool) -> list[tuple[int, float]]:
    """The first `limit` of `docs` (global document numbers) in date order, undated last, as `top_docs`
    orders them: for the queries it leaves to Whoosh, whose sorting collector puts undated articles first."""
    ordered: list[tuple[tuple[bool, float, int], float]] = []
    numbers = sorted(docs)
    for reader, offset in searcher.reader().leaf_readers():
        lo, hi = bisect_left(numbers, offset), bisect_left(numbers, offset + reader.doc_count_all())
        mine = dict.fromkeys((d - offset for d in numbers[lo:hi]), 0.0)
        ordered = heapq.nsmallest(limit, [*ordered, *_by_date(reader, offset, mine, newest)])
    return [(key[2], score) for key, score in ordered]


def _by_date(reader: Any, offset: int, scores: Scores, newest: bool) -> list[tuple[tuple[bool, float, int], float]]:
    """Sort keys of one segment's matches from the sortable date column: dated first, newest or oldest first."""
    if not reader.has_column("date"):
        return [((True, 0, d + offset), s) for d, s in scores.items()]
    missing = reader.schema["date"].column_type.default_value()
    column = reader.column_reader("date", translate=False)
    sign = -1 if newest else 1
    return [((v == missing, sign * v, d + offset), s) for d, s in scores.items() for v in (column[d],)]


def _top(scores: Scores, offset: int, limit: int) -> list[tuple[float, int]]:
    """The best `limit` of one segment's scores as `(score, -global docnum)`; ties go to lower numbers."""
    if len(scores) > limit:
        kth = heapq.nlargest(limit, scores.values())[-1]
        scores = dict(compress(scores.items(), map(le, repeat(kth), scores.values())))  # s >= kth, in C
    return [(s, -(d + offset)) for d, s in scores.items()]


def _group_word(q: Any, model: ranking.BM25F) -> tuple[str, str, str] | None:
    """`(first field, second field, word)` when `q` is one word searched in both fields of a two-field group
    (`Or(Term(title, w), Term(body, w))`), else `None`."""
    if type(q) is not wq.Or or len(q.subqueries) != 2 or q.minmatch or q.scale or q.boost != 1.0:
        return None
    a, b = q.subqueries
    if type(a) is not wq.Term or type(b) is not wq.Term or a.text != b.text or a.boost != 1.0 or b.boost != 1.0:
        return None
    group = model.group(a.fieldname)
    if len(group) != 2 or {a.fieldname, b.fieldname} != set(group):
        return None
    return group[0], group[1], a.text


def _check(q: Any, schema: Any, model: ranking.BM25F) -> None:
    """Raise `Unsupported` unless `q` is terms, exact phrases, prefixes and fuzzy words of BM25F groups
    under `And`, `Or` and `AndNot`."""
    if q is wq.NullQuery:
        return
    if q.boost != 1.0:
        raise Unsupported
    kind = type(q)
    if kind in (wq.Term, wq.Phrase, wq.Prefix, wq.FuzzyTerm):
        group = model.group(q.fieldname)
        if len(group) < 2 or any(f not in schema for f in group):
            raise Unsupported
        if (kind is wq.Phrase and q.slop != 1) or (kind in (wq.Prefix, wq.FuzzyTerm) and not q.text):
            raise Unsupported  # a slop is a span search, an empty prefix is every document: Whoosh does those
    elif kind is wq.And or (kind is wq.Or and q.minmatch == 0 and not q.scale):
        for sub in q.subqueries:
            _check(sub, schema, model)
    elif kind is wq.AndNot:
        _check(q.a, schema, model)
        _check(q.b, schema, model)
    else:
        raise Unsupported


class _Stats:
    """Collection-wide figures: document count, average field lengths, and each term's IDF."""

    def __init__(self, searcher: Any, model: ranking.BM25F, positional: set[tuple[str, str]]) -> None:
        self.searcher = searcher
        self.positional = positional  # (field, word) of phrase words: their postings are read with positions
        self.model = model
        self.N = searcher.doc_count_all()
        self._avg: dict[str, float] = {}
        self._idf: dict[tuple[tuple[str, ...], str], float] = {}
        self.norm_tables: dict[str, list[float]] = {}  # each field's length normalisation per length code
        self.cache: dict[tuple[str, str, int], Postings] = {}  # postings read for this query

    def avg(self, fieldname: str) -> float:
        if fieldname not in self._avg:
            self._avg[fieldname] = self.searcher.avg_field_length(fieldname) or 1.0
        return self._avg[fieldname]

    def idf(self, group: tuple[str, ...], text: str) -> float:
        """BM25's IDF of `text` from the documents holding it in any field of `group` (all segments)."""
        key = (group, text)
        if key not in self._idf:
            df = 0
            for reader, _offset in self.searcher.reader().leaf_readers():
                segment = _Segment(reader, self)
                df += _union_size([segment.postings(f, text).ids for f in group])
            self._idf[key] = ranking.robertson_idf(df, self.N)
        return self._idf[key]


class _Segment:
    """One segment's postings and lengths, scored against collection-wide `_Stats`."""

    def __init__(self, reader: Any, stats: _Stats) -> None:
        self.reader = reader
        self.stats = stats
        self._phrases: dict[tuple[str, tuple[str, ...]], set[int]] = {}

    def postings(self, fieldname: str, text: str, positions: bool = False) -> Postings:
        """Live postings of a term in this segment (cached for the query)."""
        key = (fieldname, text, id(self.reader))
        found = self.stats.cache.get(key)
        positions = positions or (fieldname, text) in self.stats.positional  # read once, whoever asks first
        if found is None or (positions and found.keys is None):
            found = self.stats.cache[key] = postings.read_postings(self.reader, fieldname, text, positions,
                                                                  self.stats.model.cache)
        return found

    def docs(self, q: Any) -> set[int]:
        """The documents of this segment matching `q` (no scoring)."""
        if q is wq.NullQuery:
            return set()
        if type(q) is wq.Term:
            return set(self.postings(q.fieldname, q.text).ids)
        if type(q) is wq.Phrase:
            return self.phrase_docs(q.fieldname, tuple(q.words))
        if type(q) in (wq.Prefix, wq.FuzzyTerm):
            return set().union(*(self.postings(q.fieldname, t).ids for t in self.expand(q)))
        if type(q) is wq.AndNot:
            return self.docs(q.a) - self.docs(q.b)
        sets = sorted((self.docs(sub) for sub in q.subqueries), key=len)
        return sets[0].intersection(*sets[1:]) if type(q) is wq.And else set().union(*sets)

    def evaluate(self, q: Any, only: set[int] | None) -> Scores:
        """Scores of the documents matching `q` (among `only`, when given)."""
        if q is wq.NullQuery:
            return {}
        if type(q) is wq.Term:
            return self.term(q.fieldname, q.text, only)
        if type(q) in (wq.Prefix, wq.FuzzyTerm):  # Whoosh ORs the terms they expand to, each scored as a term
            terms = self.expand(q)
            return _nested(_union, [self.term(q.fieldname, t, only) for t in terms]) if terms else {}
        if type(q) is wq.Phrase:  # Whoosh scores a phrase as the sum of its words' scores
            found = self.phrase_docs(q.fieldname, tuple(q.words))
            if only is not None:
                found = found & only
            if not found:
                return {}
            return _nested(_intersect, [self.term(q.fieldname, word, found) for word in q.words])
        if type(q) is wq.AndNot:
            exclude = self.docs(q.b)
            return {d: s for d, s in self.evaluate(q.a, only).items() if d not in exclude}
        if type(q) is wq.And:  # find the common documents first, then score only those
            sets = sorted((self.docs(sub) for sub in q.subqueries), key=len)
            if only is not None:
                sets.insert(0, only)
            common = sets[0].intersection(*sets[1:])
            if not common:
                return {}
            return _nested(_intersect, [self.evaluate(sub, common) for sub in q.subqueries])
        return _nested(_union, [self.evaluate(sub, only) for sub in q.subqueries])

    def expand(self, q: Any) -> list[str]:
        """The terms of this segment a prefix or fuzzy word stands for."""
        field = self.reader.schema[q.fieldname]
        return [t if isinstance(t, str) else field.from_bytes(t) for _f, t in q.expanded_terms(self.reader) if t]

    def phrase_docs(self, fieldname: str, words: tuple[str, ...]) -> set[int]:
        """Documents holding `words` at consecutive positions (Whoosh's `Phrase` with slop 1).

        Positions are read as keys `doc << KEY_SHIFT | position` (`codec`): a phrase match is a key of one
        word whose neighbours, moved by the words' places in the phrase, are keys of the others. Set
        operations in C, block by block, instead of a loop per document; only blocks holding a document
        that has every word are decoded. The rarest word goes first, its keys moved to the place of the word
        probed next; each later word's keys are probed as stored, against the matches so far (moved, when
        needed, rather than the longer lists of keys)."""
        key = (fieldname, words)
        if key in self._phrases:
            return self._phrases[key]
        lists = self._phrase_lists(fieldname, words)
        candidates = set(lists[0][1].ids).intersection(*(p.ids for _place, p in lists[1:]))  # live documents only
        if len(lists) == 1:  # one word or pair: the documents holding it, no positions to compare
            self._phrases[key] = candidates
            return candidates
        ordered = sorted(candidates)
        order = sorted(lists, key=lambda item: len(item[1].ids))
        matches: set[int] | None = None  # keys of the matches so far, at the place `at` in the phrase
        at = order[1][0] if len(order) > 1 else 0
        for step, (place, p) in enumerate(order):
            if not ordered:
                break
            if matches is None:  # the first word: its keys, moved to the place of the next
                probe, move = None, at - place
            else:  # a later word: its keys as stored, probed with the matches moved to its place
                probe = matches if at == place else set(map((place - at).__add__, matches))
                move, at = 0, place
            found: set[int] = set()
            for block in p.keys or ():
                lo = bisect_left(ordered, block[0])
                if lo == len(ordered) or ordered[lo] > block[1]:
                    continue  # no candidate in this block
                keys = postings.block_keys(block)
                if probe is not None:
                    found.update(probe.intersection(keys))
                else:
                    found.update(map(move.__add__, keys) if move else keys)
            matches = found
            if step:  # the first word's keys are all in candidate documents: nothing to narrow yet
                ordered = sorted(set(map(rshift, matches, repeat(KEY_SHIFT))) & candidates)
        self._phrases[key] = docs = set(ordered)
        return docs

    def _phrase_lists(self, fieldname: str, words: tuple[str, ...]) -> list[tuple[int, Postings]]:
        """The posting lists (with positions) that find a phrase, each with its place in the phrase: the pair
        term (`terms.pair_term`) of each two adjacent words that form one, from the field's pairs twin, and
        the words no pair covers. A pair is at its first word's position, so a phrase's match is a key
        of each list moved by the list's place, as with words alone: the same documents, from shorter lists."""
        schema = self.reader.schema
        pairs = paired_fields(schema).get(fieldname)
        places: list[tuple[int, str, str]] = []
        covered: set[int] = set()
        if pairs is not None:
            paired = schema[pairs].pair_words()
            for i, (first, second) in enumerate(pairwise(words)):
                term = terms.pair_term(first, second, paired)
                if term is not None:
                    places.append((i, pairs, term))
                    covered.update((i, i + 1))
        places += [(i, fieldname, w) for i, w in enumerate(words) if i not in covered]
        return [(i, self.postings(f, t, positions=True)) for i, f, t in places]

    def best_of_word(self, first: str, second: str, text: str, share: Share | None, offset: int, limit: int,
                     best: list[tuple[float, int]]) -> tuple[int, list[tuple[float, int]]]:
        """This segment's matches of one word in a two-field group (among the filter's `share`, when given),
        and the best `limit` of them merged into `best` (`(score, -global docnum)`, best first), the scores
        `evaluate` gives.

        The documents holding the word in the first (short) field are scored whole. The others score by the
        second field alone, a function of frequency and length code that rises with the one and falls with
        the other (IDF and field weights are positive), so a run of postings can score no more than its best
        bound pair (`codec`): runs are scored best bound first, until no run left can reach the `limit`-th
        score. (A filter that leaves a few documents is quicker to score whole.) A filter of a few ranges of
        documents (a period) is counted by bisection."""
        allowed, only = (share.docs, share.members) if share is not None else (None, None)
        head = self.term(first, text, only)
        found = self.postings(second, text)
        codes = self.stats.model.cache.length_codes(self.reader, second)
        if found.bounds is None or codes is None or (only is not None and len(only) * 8 < len(found.ids)):
            scores = _union(head, self.term(second, text, only))
            return len(scores), heapq.nlargest(limit, [*best, *_top(scores, offset, limit)])
        inc = self.term(second, text, set(head))  # the second field's part for those documents
        heap = list(best)
        heapq.heapify(heap)
        for d, s in _union(head, inc).items():  # `evaluate`'s sums
            _offer(heap, limit, (s, -(d + offset)))
        model = self.stats.model
        idf, k1, weight = self.stats.idf(model.group(second), text), model.K1, model.weights.get(second, 1.0)
        norm = self._norms(second)[1]
        ids, tfs = found.ids, found.tfs

        def bound(pairs: tuple[float, ...]) -> float:  # term()'s formula at each pair, with a margin for rounding
            return max(ranking.saturation(idf, weight * tf / norm[int(c)], k1)
                       for c, tf in zip(pairs[::2], pairs[1::2], strict=True)) * (1 + 1e-9)

        for top, lo, hi in sorted(((bound(p), lo, hi) for lo, hi, p in found.bounds if p), reverse=True):
            if len(heap) >= limit and top < heap[0][0]:
                break
            if allowed is not None and ((k := bisect_left(allowed, lo)) == len(allowed) or allowed[k] > hi):
                continue  # no document of the filter in this run (a date filter often spans few runs)
            i, j = bisect_left(ids, lo), bisect_right(ids, hi)
            pairs = [(d, tf) for d, tf in zip(ids[i:j], tfs[i:j], strict=True)
                     if d not in head and (only is None or d in only)]
            for d, s in ranking.bulk_scores(idf, k1, weight, norm, codes, pairs).items():
                _offer(heap, limit, (s, -(d + offset)))
        if share is None:
            matched = len(ids)
        elif share.spans is not None and len(share.spans) * 16 < len(ids):
            matched = sum(bisect_right(ids, hi) - bisect_left(ids, lo) for lo, hi in share.spans)
        else:
            matched = len(share.members.intersection(ids))
        return matched + len(head) - len(inc), heapq.nlargest(limit, heap)

    def term(self, fieldname: str, text: str, only: set[int] | None) -> Scores:
        """`ranking.BM25FScorer` for every posting: this field's saturation increment over the earlier
        fields of its group (the title's part of a body match)."""
        model = self.stats.model
        group = model.group(fieldname)
        idf, k1 = self.stats.idf(group, text), model.K1

        found = self.postings(fieldname, text)
        ids, tfs = found.ids, found.tfs
        pairs: Any = zip(ids, tfs, strict=True)
        if only is not None and len(only) * 8 < len(ids):  # a few documents of a long list: look them up
            n = len(ids)
            pairs = [(d, tfs[i]) for d in only if (i := bisect_left(ids, d)) < n and ids[i] == d]
        elif only is not None:  # most of the list: filter it in C
            keep = list(map(only.__contains__, ids))
            pairs = zip(compress(ids, keep), compress(tfs, keep), strict=True)
        weight, (code, norm) = model.weights.get(fieldname, 1.0), self._norms(fieldname)
        scores = ranking.bulk_scores(idf, k1, weight, norm, code, pairs)
        earlier = group[:group.index(fieldname)]
        if not earlier or not scores:
            return scores
        before = self._tfn(earlier[0], text)
        for f in earlier[1:]:
            for d, x in self._tfn(f, text).items():
                before[d] = before.get(d, 0) + x
        scores.update(ranking.bulk_increments(idf, k1, weight, norm, code, [
            (d, before[d], tfs[bisect_left(ids, d)]) for d in before.keys() & scores.keys()]))
        return scores

    def _tfn(self, fieldname: str, text: str) -> dict[int, float]:
        """Weighted, length-normalised term frequency per document (`ranking._Field.tfn_len`)."""
        found = self.postings(fieldname, text)
        ids, tfs = found.ids, found.tfs
        weight, (code, norm) = self.stats.model.weights.get(fieldname, 1.0), self._norms(fieldname)
        return {d: weight * tf / norm[code[d]] for d, tf in zip(ids, tfs, strict=True)}

    def _norms(self, fieldname: str) -> tuple[Sequence[int], list[float]]:
        """BM25's length normalisation `(1 - B) + B * length / avglen` as a table and each document's index
        into it: the 256 one-byte length codes Whoosh stores (nothing to compute per document), or else
        one entry per document."""
        b, avg = self.stats.model.B, self.stats.avg(fieldname)
        codes = self.stats.model.cache.length_codes(self.reader, fieldname)
        if codes is not None:  # the table is the same in every segment: made once per query
            table = self.stats.norm_tables.get(fieldname)
            if table is None:
                table = self.stats.norm_tables[fieldname] = [ranking.length_norm(b, n or 1, avg)
                                                             for n in BYTE_LENGTHS]  # no length: 1, as Whoosh
            return codes, table
        lengths = self.stats.model.cache.lengths(self.reader, fieldname)
        return range(len(lengths)), [ranking.length_norm(b, n, avg) for n in lengths]


def _phrase_words(q: Any) -> set[tuple[str, str]]:
    """The `(field, word)` pairs of the exact phrases in a query."""
    if type(q) is wq.Phrase:
        return {(q.fieldname, w) for w in q.words}
    subs = getattr(q, "subqueries", None) or [x for x in (getattr(q, "a", None), getattr(q, "b", None)) if x]
    return set().union(*map(_phrase_words, subs)) if subs else set()


def _offer(heap: list[tuple[float, int]], limit: int, item: tuple[float, int]) -> None:
    """Keep `item` in a min-heap of the best `limit` items if it beats the worst of them."""
    if len(heap) < limit:
        heapq.heappush(heap, item)
    elif item > heap[0]:
        heapq.heapreplace(heap, item)


def _union_size(lists: list[list[int]]) -> int:
    """How many documents the sorted id lists hold between them: the longest list's length plus the others'
    documents missing from it (looked up by bisection when they are few, rather than hashing every id)."""
    lists = sorted(lists, key=len)
    big, rest = lists[-1], set().union(*lists[:-1])
    if len(rest) * 16 > len(big):
        return len(rest.union(big))
    n = len(big)
    return n + sum(1 for d in rest if (i := bisect_left(big, d)) == n or big[i] != d)


def _union(a: Scores, b: Scores) -> Scores:
    """Whoosh's `UnionMatcher`: a document in both scores a + b."""
    if len(a) < len(b):
        out = dict(b)
        for d, s in a.items():
            out[d] = s + out[d] if d in out else s
        return out
    out = dict(a)
    for d, s in b.items():
        out[d] = out[d] + s if d in out else s
    return out


def _intersect(a: Scores, b: Scores) -> Scores:
    """Whoosh's `IntersectionMatcher`: documents in both, scoring a + b."""
    if len(a) <= len(b):
        return {d: s + b[d] for d, s in a.items() if d in b}
    return {d: a[d] + s for d, s in b.items() if d in a}


def _nested(combine: Callable[[Scores, Scores], Scores], items: list[Scores]) -> Scores:
    """Combine clause scores pairwise, smallest first (intersections shrink soonest)."""
    items = sorted(items, key=len)
    out = items[0]
    for item in items[1:]:
        out = combine(out, item)
    return out


