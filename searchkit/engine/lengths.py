"""Field lengths and what an open index keeps between searches.

Whoosh stores each document's length in a field as a one-byte code (`BYTE_LENGTHS` decodes it) and answers
`doc_field_length` through a column reader per call (microseconds); scoring a common word asks for tens of
thousands of lengths per query. The codes are read once per segment and field, in one call, and kept in a
`ReaderCache`: one per open index (`api.Reader`), held by its weighting model so that Whoosh's own scorers
reach it too. A reader sees one snapshot of the index, so nothing kept here goes stale.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocWriter, _lenfield
from whoosh.util.numeric import byte_to_length

BYTE_LENGTHS = [byte_to_length(b) if b else 0 for b in range(256)]
"""Field length of each one-byte length code (0: the document has no length in the field)."""


def read_lengths(column: Any, missing: int) -> list[int]:
    """Decode a Whoosh lengths column (one byte per document) into field lengths; a 0 byte gives `missing`.

    Read in one call when the column has the known fixed one-byte layout, element by element otherwise.
    """
    table = [length or missing for length in BYTE_LENGTHS]
    codes = read_length_codes(column)
    return [table[b] for b in (codes if codes is not None else column)]


def read_length_codes(column: Any) -> bytes | None:
    """A lengths column's one-byte codes, one per document (decoded by `BYTE_LENGTHS`), read in one call;
    `None` when the column has another layout."""
    if getattr(column, "_fixedlen", None) == 1 and hasattr(column, "_dbfile"):
        raw = bytes(column._dbfile.get(column._basepos, column._count))
        return raw + bytes(column._doccount - column._count)  # documents past the end have no length
    return None


class ReaderCache:
    """Per-open-index caches, keyed by segment reader (the open index holds its segment readers for its
    whole life, so their ids are stable): length codes and lengths per field, deleted documents, the year
    span, recently used filters (`query.FILTER_CACHE_DOCS`), and the matches of the last query scored in
    full (`query.run`), which a count of the same query's stories reads instead of collecting them again."""

    def __init__(self) -> None:
        self._codes: dict[tuple[int, str], bytes | None] = {}
        self._by_field: dict[tuple[int, str], list[int]] = {}
        self._deleted_docs: dict[int, frozenset[int]] = {}
        self.filters: dict[str, Any] = {}  # filter key -> (documents, per-segment shares), most recent last
        self.year_span: tuple[int, int] | bool | None = False  # False: not read yet
        self.matches: tuple[str, list[tuple[int, dict[int, float]]]] | None = None  # key, (offset, scores) each

    def length_codes(self, reader: Any, fieldname: str) -> bytes | None:
        """Every document's one-byte length code in a field, for one segment's reader; `None` when the
        segment stores lengths another way."""
        key = (id(reader), fieldname)
        if key not in self._codes:
            perdoc, column = getattr(reader, "_perdoc", None), _lenfield(fieldname)
            codes = None
            if perdoc is not None and perdoc.has_column(column):
                codes = read_length_codes(perdoc.column_reader(column, LENGTHS_COLUMN))
            self._codes[key] = codes
        return self._codes[key]

    def lengths(self, reader: Any, fieldname: str) -> list[int]:
        """Every document's length in a field, for one segment's reader (no length: 1, Whoosh's default)."""
        key = (id(reader), fieldname)
        lengths = self._by_field.get(key)
        if lengths is None:
            codes = self.length_codes(reader, fieldname)
            if codes is not None:
                table = [n or 1 for n in BYTE_LENGTHS]
                lengths = [table[b] for b in codes]
            else:
                lengths = [reader.doc_field_length(d, fieldname, 1) for d in range(reader.doc_count_all())]
            self._by_field[key] = lengths
        return lengths

    def deleted(self, reader: Any, read: Callable[[], Any]) -> frozenset[int]:
        """A segment's deleted documents (`read()` gives them the first time)."""
        found = self._deleted_docs.get(id(reader))
        if found is None:
            found = self._deleted_docs[id(reader)] = frozenset(read())
        return found


def cache_of(searcher: Any) -> ReaderCache:
    """The caches of the open index behind a Whoosh searcher (a fresh, unkept one when its weighting model
    is not searchkit's, as in the relevance tuning scripts)."""
    cache = getattr(searcher.weighting, "cache", None)
    return cache if isinstance(cache, ReaderCache) else ReaderCache()


def bulk_lengths(perdoc: Any) -> bool:
    """Whether `write_length_codes` may write `perdoc`'s length columns (Whoosh's W3 per-document writer,
    or searchkit's, whose `add_field` is W3's)."""
    return getattr(type(perdoc), "add_field", None) is W3PerDocWriter.add_field and isinstance(perdoc, W3PerDocWriter)


def write_length_codes(perdoc: Any, fieldname: str, base: int, codes: Any) -> None:
    """Write the lengths column of documents `base`, `base + 1`, ... in `fieldname` from their one-byte codes
    (0: no length), as `W3PerDocWriter.add_field` writes one a call (no code 0 written, a gap filled with
    zeros, the column made at the first code): the same bytes, in one write. `codes` is a uint8 array."""
    nonzero = codes.nonzero()[0]
    if not len(nonzero):
        return
    column = _lenfield(fieldname)
    if not perdoc._has_column(column):
        perdoc._create_column(column, LENGTHS_COLUMN)
    writer = perdoc._get_column(column)
    first, last = base + int(nonzero[0]), base + int(nonzero[-1])
    writer.fill(first)  # zeros up to the first code, as `add` writes them
    writer._dbfile.write(codes[first - base:last - base + 1].tobytes())
    writer._count = last + 1
