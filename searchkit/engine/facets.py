"""Counting a query's matches by facet (day, speaker) without ranking or reading stored documents: the
matching set comes from the same set algebra as a search's total (`query.docset`, and the cached filter
set), dates from the sortable date column, speakers from the speaker postings."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from searchkit.engine import index, query

MICROSECONDS_A_DAY = 86_400_000_000
"""Whoosh's DATETIME column holds microseconds since 0001-01-01 (`whoosh.util.times.datetime_to_long`)."""


def matched(searcher: Any, q: Any, flt: Any) -> set[int]:
    """The live documents matching query `q` within filter `flt` (None for either: no restriction)."""
    if q is None and flt is None:
        q = query.everything()
    allowed = query.filter_docs(searcher, flt)[0] if flt is not None else None
    if q is None:
        return set(allowed or ())
    docs = query.docset(searcher, q)
    return docs if allowed is None else docs & allowed


def days_of(searcher: Any, docs: set[int]) -> tuple[Counter[date], int]:
    """How many of `docs` fall on each day, and how many are undated."""
    reader = searcher.reader()
    if not docs or not reader.has_column("date"):
        return Counter(), len(docs)
    missing = searcher.schema["date"].column_type.default_value()
    column = reader.column_reader("date", translate=False)
    values = Counter(column[d] // MICROSECONDS_A_DAY for d in docs if column[d] != missing)
    days: Counter[date] = Counter()
    for ordinal, n in values.items():
        days[date.fromordinal(ordinal + 1)] += n
    return days, len(docs) - sum(values.values())


def speakers_by_day(searcher: Any, docs: set[int]) -> dict[str, Counter[date]]:
    """For each speaker quoted in `docs` (display name), how many of those documents quote them on each day."""
    reader = searcher.reader()
    column = reader.column_reader("date", translate=False) if reader.has_column("date") else None
    missing = searcher.schema["date"].column_type.default_value()
    out: dict[str, Counter[date]] = {}
    for term, quoting in index.speaker_docs(searcher).items():
        mine = quoting & docs
        if not mine or column is None:
            continue
        ordinals = Counter(column[d] // MICROSECONDS_A_DAY for d in mine if column[d] != missing)
        if ordinals:
            name = index.speaker_count(searcher, term, mine).name
            counts = out.setdefault(name, Counter())
            for ordinal, n in ordinals.items():
                counts[date.fromordinal(ordinal + 1)] += n
    return out
