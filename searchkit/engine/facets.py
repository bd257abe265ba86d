"""Counting a query's matches by facet (day, speaker) without ranking or reading stored documents: the
matching set comes from the same set algebra as a search's total (`query.docset`, and the cached filter
set), dates from the sortable date column, speakers from the speaker postings."""

from __future__ import annotations

import struct
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
    if q is not None and (found := query.last_matches(searcher, q, flt)) is not None:
        return found
    allowed = query.filter_docs(searcher, flt)[0] if flt is not None else None
    if q is None:
        return set(allowed or ())
    docs = query.docset(searcher, q)
    return docs if allowed is None else docs & allowed


def day_ordinals(searcher: Any) -> list[int]:
    """Every document's day (`date.toordinal() - 1`; -1 when undated), by global document number: each
    segment's date column read in one call when it has the fixed-width layout (per document otherwise)."""
    field = searcher.schema["date"]
    missing = field.column_type.default_value()
    layout = "!" + field.sortable_typecode  # Whoosh packs numeric columns big-endian
    out = [-1] * searcher.doc_count_all()
    for leaf, offset in searcher.reader().leaf_readers():
        count = leaf.doc_count_all()
        if not leaf.has_column("date"):
            continue
        column = leaf.column_reader("date", translate=False)
        if getattr(column, "_fixedlen", None) == struct.calcsize(layout) and hasattr(column, "_dbfile"):
            raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
            values = [v for (v,) in struct.iter_unpack(layout, raw)] + [missing] * (count - column._count)
        else:
            values = [column[d] for d in range(count)]
        out[offset:offset + count] = [-1 if v == missing else v // MICROSECONDS_A_DAY for v in values]
    return out


def days_of(days: list[int], docs: set[int]) -> tuple[Counter[date], int]:
    """How many of `docs` fall on each day (`days` from `day_ordinals`), and how many are undated."""
    ordinals = Counter(map(days.__getitem__, docs))
    undated = ordinals.pop(-1, 0)
    return Counter({date.fromordinal(o + 1): n for o, n in ordinals.items()}), undated


def speakers_by_day(searcher: Any, days: list[int], docs: set[int]) -> dict[str, Counter[date]]:
    """For each speaker quoted in `docs` (display name), how many of those documents quote them on each day."""
    out: dict[str, Counter[date]] = {}
    for term, quoting in index.speaker_docs(searcher).items():
        mine = quoting & docs
        dated, _undated = days_of(days, mine)
        if dated:
            counts = out.setdefault(index.speaker_count(searcher, term, mine).name, Counter())
            counts.update(dated)
    return out
