"""Bounds on what prefix and fuzzy words expand to, so that no query string costs more than a few of them.

A prefix (`oil*`) or fuzzy word (`oil~2`) stands for every indexed word it matches: Whoosh finds them by
walking the lexicon (a Levenshtein automaton for fuzzy words, tens of milliseconds each on a small index)
and reads each one's postings. A query repeating `oil~2` 200 times, or naming `a*`, cost tens of seconds.
The query language keeps at most `querylang.MAX_EXPANDING` of them per query; here, before a query runs,
each distinct one is expanded once, and the query's `MAX_TERMS` words per field are shared among them: each
stands for at most its share (the shortest words it matches: the closest to what was typed), and all of
them together for at most `MAX_POSTINGS` postings (scoring them is the cost, whatever the index's size),
with a note when that cut some.
"""

from __future__ import annotations

from typing import Any

from whoosh import query as wq

MAX_TERMS = 400  # indexed words that the prefix and fuzzy words of one query stand for, per field
MIN_SHARE = 25  # ... but each of them stands for this many at least
MAX_POSTINGS = 400_000  # postings of the words they stand for, in all fields (~0.5 s to score)


def bound(searcher: Any, q: Any) -> tuple[Any, list[str]]:
    """`q` with every prefix and fuzzy word replaced by the words it stands for, within the bounds, and the
    notes on what the bounds cut."""
    expanding = {_key(leaf) for leaf in _expanding(q)}
    if not expanding:
        return q, []
    fields = [key[1] for key in expanding]
    share = max(MIN_SHARE, MAX_TERMS // max(fields.count(f) for f in fields))
    expander = _Expander(searcher.reader(), share)
    return expander.rewrite(q), expander.notes()


def _expanding(q: Any) -> list[Any]:
    """The prefix and fuzzy queries inside `q`."""
    if type(q) in (wq.Prefix, wq.FuzzyTerm):
        return [q]
    if type(q) in (wq.And, wq.Or):
        return [leaf for sub in q.subqueries for leaf in _expanding(sub)]
    if type(q) is wq.AndNot:
        return _expanding(q.a) + _expanding(q.b)
    return []


def _key(q: Any) -> tuple[Any, ...]:
    return type(q), q.fieldname, q.text, getattr(q, "maxdist", 0), getattr(q, "prefixlength", 0)


class _Expander:
    def __init__(self, reader: Any, share: int) -> None:
        self.reader = reader
        self.share = share
        self.postings = MAX_POSTINGS
        self.kept: dict[tuple[Any, ...], list[str]] = {}
        self.cut: dict[str, tuple[int, int]] = {}  # word as typed -> words it matches, words searched

    def rewrite(self, q: Any) -> Any:
        kind = type(q)
        if kind in (wq.Prefix, wq.FuzzyTerm):
            return self.expand(q)
        if kind in (wq.And, wq.Or):
            subs = [self.rewrite(sub) for sub in q.subqueries]
            return q if all(a is b for a, b in zip(subs, q.subqueries, strict=True)) else _copy(q, subs)
        if kind is wq.AndNot:
            a, b = self.rewrite(q.a), self.rewrite(q.b)
            return q if a is q.a and b is q.b else wq.AndNot(a, b)
        return q

    def expand(self, q: Any) -> Any:
        typed = f"{q.text}*" if type(q) is wq.Prefix else f"{q.text}~{q.maxdist}"
        key = _key(q)
        terms = self.kept.get(key)
        if terms is None:
            field = self.reader.schema[q.fieldname]
            found = sorted({t if isinstance(t, str) else field.from_bytes(t)
                            for _f, t in q.expanded_terms(self.reader) if t}, key=lambda t: (len(t), t))
            terms = self.kept[key] = self.within_budget(q.fieldname, found[:self.share])
            if len(terms) < len(found):
                self.cut[typed] = (len(found), min(len(terms), self.cut.get(typed, (0, len(terms)))[1]))
        if not terms:
            return wq.NullQuery
        return wq.Term(q.fieldname, terms[0]) if len(terms) == 1 else wq.Or([wq.Term(q.fieldname, t) for t in terms])

    def within_budget(self, fieldname: str, terms: list[str]) -> list[str]:
        """The first of `terms` (at least one) whose postings fit in what is left of `MAX_POSTINGS`."""
        for n, term in enumerate(terms):
            self.postings -= self.reader.doc_frequency(fieldname, term)
            if self.postings < 0 and n:
                return terms[:n]
        return terms

    def notes(self) -> list[str]:
        return [f"{typed} stands for {count:,} words; the {kept} shortest were searched"
                for typed, (count, kept) in self.cut.items()]


def _copy(q: Any, subqueries: list[Any]) -> Any:
    """An `And` or `Or` like `q` over other subqueries."""
    if type(q) is wq.Or:
        return wq.Or(subqueries, boost=q.boost, minmatch=q.minmatch, scale=q.scale)
    return wq.And(subqueries, boost=q.boost)
