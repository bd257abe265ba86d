"""Ranking parameters: the BM25F weighting and how much a title match counts.

Kept in one place so ranking can be tuned (on principle, across collections) without touching the
index or query code. Changing these needs no re-index.

The model is BM25F proper (Robertson & Zaragoza, "The Probabilistic Relevance Framework", 2009), not
Whoosh's `scoring.BM25F`, which is per-field BM25 summed over fields (a title match and a body match
each saturate separately, so a word in both counts nearly twice, and title and body have separate IDFs):

    tf~(t, d) = sum over fields f of  W_f * tf(t, f, d) / ((1 - B_f) + B_f * len(f, d) / avglen(f))
    score     = sum over query terms t of  IDF(t) * tf~ * (K1 + 1) / (K1 + tf~)
    IDF(t)    = ln(1 + (N - n + 0.5) / (n + 0.5)),  n = documents holding t in any of the fields

Whoosh scores one (field, term) posting list at a time and sums the clauses of an `Or`, and query.py
searches an unscoped word as `Or(Term("title", stem), Term("body", stem))`. So the fields of a group
(`title`, `body`; likewise `title_exact`, `body_exact`) are scored in order and each field's scorer adds
its increment: the title scorer gives score(title tf~), the body scorer gives
score(title tf~ + body tf~) - score(title tf~), reading the document's title frequency from the title
postings. The two clauses then sum to the BM25F score of the word; a `title:` scoped word gets the title
part alone. (A `body:` scoped word gets the body increment: its ranking among documents that also hold
the word in their title is slightly compressed. Scoped searches are filters more than ranking.)

The title weight lives here (`TITLE_WEIGHT`); `TITLE_BOOST`, the query-time multiplier query.py puts on
title clauses, stays 1.0 so the clauses add up to the BM25F score.
"""

from __future__ import annotations

from contextlib import suppress
from math import log
from typing import Any

from whoosh import scoring
from whoosh.reading import TermNotFound

from searchkit.engine.lengths import ReaderCache

K1 = 2.0
"""Term-frequency saturation: the top of the usual 1.2-2.0 range, as tf~ adds the weighted title in."""
B = 0.75
"""Length normalisation, the same for every field (the usual 0.75)."""
TITLE_WEIGHT = 2.0
"""A title occurrence counts as this many (length-normalised) body occurrences."""
TITLE_BOOST = 1.0
"""Query-time boost on title clauses (query.py). Keep 1.0: the title weight is `TITLE_WEIGHT`."""

FIELD_GROUPS: tuple[tuple[str, ...], ...] = (("title", "body"), ("title_exact", "body_exact"))
"""Fields scored together as one BM25F document, in scoring order (see the module docstring)."""


def weighting() -> Any:
    """The Whoosh weighting model every searcher uses."""
    return BM25F(K1=K1, B=B, weights={"title": TITLE_WEIGHT, "title_exact": TITLE_WEIGHT})


def length_norm(b: float, length: float, avglen: float) -> float:
    """BM25's length normalisation of a field: `(1 - B) + B * len / avglen`."""
    return (1.0 - b) + b * length / avglen


def saturation(idf: float, tfn: float, k1: float) -> float:
    """BM25's score of a term for a weighted, length-normalised frequency `tfn` (tf~ above): the one
    formula every scorer uses (`bulk_scores` and `bulk_increments` spell it out inline: change all three)."""
    return idf * tfn * (k1 + 1.0) / (k1 + tfn) if tfn > 0 else 0.0


def bulk_scores(idf: float, k1: float, weight: float, norms: Any, codes: Any, pairs: Any) -> dict[int, float]:
    """`saturation(idf, weight * tf / norms[codes[d]], k1)` for every `(d, tf)` of `pairs`, written out in one
    comprehension (the bulk of a common word's cost; the same arithmetic in the same order, tested)."""
    k1p1 = k1 + 1.0
    return {d: idf * (x := weight * tf / norms[codes[d]]) * k1p1 / (k1 + x) for d, tf in pairs}


def bulk_increments(idf: float, k1: float, weight: float, norms: Any, codes: Any, triples: Any) -> dict[int, float]:
    """`saturation(idf, b + x, k1) - saturation(idf, b, k1)`, with `x = weight * tf / norms[codes[d]]`, for every
    `(d, b, tf)` of `triples`: a later field's share of a group's score over the earlier fields' `b`, written
    out in one comprehension as `bulk_scores` is (the same arithmetic in the same order, tested)."""
    k1p1 = k1 + 1.0
    return {d: idf * (t := b + weight * tf / norms[codes[d]]) * k1p1 / (k1 + t) - idf * b * k1p1 / (k1 + b)
            for d, b, tf in triples}


def robertson_idf(n: int, N: int) -> float:
    """BM25's IDF as Lucene computes it (always positive)."""
    return log(1.0 + (N - n + 0.5) / (n + 0.5))


class BM25F(scoring.WeightingModel):
    """BM25F over field groups; any other scorable field is plain BM25 on its own."""

    def __init__(self, K1: float = K1, B: float = B, weights: dict[str, float] | None = None,
                 groups: tuple[tuple[str, ...], ...] = FIELD_GROUPS) -> None:
        self.K1 = K1
        self.B = B
        self.weights = dict(weights or {})
        self._group = {f: g for g in groups for f in g}
        self.cache = ReaderCache()  # one model per open index: its caches (`lengths`)
        self._df_owner: Any = None
        self._group_dfs: dict[tuple[tuple[str, ...], Any], int] = {}

    def supports_block_quality(self) -> bool:
        return True

    def group(self, fieldname: str) -> tuple[str, ...]:
        return self._group.get(fieldname, (fieldname,))

    def idf(self, searcher: Any, fieldname: str, text: Any) -> float:
        parent = searcher.get_parent()
        group = [f for f in self.group(fieldname) if f in parent.schema]
        n = parent.doc_frequency(fieldname, text) if len(group) == 1 else self._group_df(parent, tuple(group), text)
        return robertson_idf(n, parent.doc_count_all())

    def _group_df(self, parent: Any, group: tuple[str, ...], text: Any) -> int:
        """Documents holding `text` in any field of the group (computed once for the group's fields)."""
        if self._df_owner is not parent:
            self._df_owner, self._group_dfs = parent, {}
        key = (group, text)
        if key not in self._group_dfs:
            reader = parent.reader()
            docs: set[int] = set()
            for f in group:
                with suppress(TermNotFound):
                    docs.update(reader.postings(f, text).all_ids())
            self._group_dfs[key] = len(docs)
        return self._group_dfs[key]

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        return BM25FScorer(self, searcher, fieldname, text)


class _Field:
    """One field's part of tf~ for a term: weight and length normalisation."""

    def __init__(self, model: BM25F, searcher: Any, fieldname: str) -> None:
        parent = searcher.get_parent()
        self.name = fieldname
        self.weight = model.weights.get(fieldname, 1.0)
        self.avgfl = parent.avg_field_length(fieldname) or 1.0
        self.B = model.B
        self.searcher = searcher
        self.cache = model.cache
        self._doc_lengths: list[int] | None = None

    def tfn(self, tf: float, docnum: int) -> float:
        if self._doc_lengths is None:
            self._doc_lengths = self.cache.lengths(self.searcher.reader(), self.name)
        return self.tfn_len(tf, self._doc_lengths[docnum])

    def tfn_len(self, tf: float, length: float) -> float:
        return self.weight * tf / length_norm(self.B, length, self.avgfl)


class _Sibling:
    """An earlier field of the group: its frequency of the term in the documents being scored, read from
    its postings as the scored documents advance."""

    def __init__(self, field: _Field, searcher: Any, text: Any) -> None:
        self.field = field
        self.searcher = searcher
        self.text = text
        self.matcher = self._open()
        self.last = -1

    def _open(self) -> Any:
        try:
            return self.searcher.reader().postings(self.field.name, self.text)
        except TermNotFound:
            return None

    def tfn(self, docnum: int) -> float:
        m = self.matcher
        if m is None:
            return 0.0
        if docnum < self.last:  # scored out of order: start again
            m = self.matcher = self._open()
            if m is None:
                return 0.0
        self.last = docnum
        if m.is_active() and m.id() < docnum:
            m.skip_to(docnum)
        if m.is_active() and m.id() == docnum:
            return self.field.tfn(m.weight(), docnum)
        return 0.0


class BM25FScorer(scoring.BaseScorer):
    """Scores one field of a group: the increase of the BM25F saturation that this field's tf~ brings on top
    of the earlier fields of the group."""

    def __init__(self, model: BM25F, searcher: Any, fieldname: str, text: Any) -> None:
        parent = searcher.get_parent()
        self.idf = parent.idf(fieldname, text)
        self.K1 = model.K1
        group = [f for f in model.group(fieldname) if f in searcher.schema]
        earlier = group[:group.index(fieldname)]
        self.field = _Field(model, searcher, fieldname)
        self.siblings = [_Sibling(_Field(model, searcher, f), searcher, text) for f in earlier]
        ti = searcher.term_info(fieldname, text)
        self._max_score = self._sat(self.field.tfn_len(ti.max_weight(), ti.min_length()))

    def _sat(self, tfn: float) -> float:
        return saturation(self.idf, tfn, self.K1)

    def score(self, matcher: Any) -> float:
        docnum = matcher.id()
        own = self.field.tfn(matcher.weight(), docnum)
        if not self.siblings:
            return self._sat(own)
        before = sum(s.tfn(docnum) for s in self.siblings)
        return self._sat(before + own) - self._sat(before)

    # Upper bounds for Whoosh's block-skipping collector, as its own BM25F scorer computes them. They hold
    # for the increment too: the saturation is concave with sat(0) = 0, so sat(x + y) - sat(x) <= sat(y).
    def supports_block_quality(self) -> bool:
        return True

    def max_quality(self) -> float:
        return self._max_score

    def block_quality(self, matcher: Any) -> float:
        return self._sat(self.field.tfn_len(matcher.block_max_weight(), matcher.block_min_length()))
