"""The writer's posting pool, grouped by field and term, spilling sorted runs to disk past its limit.

Whoosh's pool keeps one tuple per posting, sorts them all, and past its memory limit pickles every posting
to a run file and merges them back one by one. `GroupedPool` appends each posting to its term's list, sorts
only the distinct terms, and spills one marshal record per term; runs are merged by term.
`add_document` feeds it a document at a time (Whoosh's `SegmentWriter.add_document`, for searchkit's
schemas).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import marshal
import operator
import os
import struct
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from whoosh.writing import SegmentWriter

from searchkit import private
from searchkit.engine.lengths import bulk_lengths


def _add_document(writer: SegmentWriter, fields: dict[str, Any], analysed: Mapping[str, int] | None = None,
                  lengths_written: bool = False) -> None:
    """`SegmentWriter.add_document` for searchkit's schemas, feeding the grouped pool a field at a time.

    Same per-document records as Whoosh's method (stored values, field lengths, columns); the postings go
    straight to their term lists instead of through one pool call per posting. No boosts are used. The
    fields named in `analysed` (with their lengths) have their postings pooled elsewhere (`batch`), and,
    when `lengths_written`, their length columns written there too (`lengths.write_length_codes`): only
    their totals are added here. Whoosh's W3 per-document writer (searchkit's codec's) is filled directly,
    as its `add_field` fills it (`lengths.bulk_lengths`), not through a call or three per field; a date
    column's value is made once per distinct date (an article's quotes share its date).
    """
    perdoc, pool = writer.perdocwriter, writer.pool
    docnum = writer.docnum
    added = 0
    analysed = analysed or {}
    facts = pool.facts(writer.schema)
    direct = pool.direct(perdoc)
    add_field = perdoc.add_field
    perdoc.start_doc(docnum)
    stored_fields, field_lengths = (perdoc._storedfields, perdoc._fieldlengths) if direct else (None, None)
    groups = pool.groups  # (replaced only when the pool spills, after the document)
    for fieldname in pool.field_order(fields):
        value = fields[fieldname]
        if value is None:
            continue
        field, stored_key, scorable, keeps, column_type, indexed = facts[fieldname]
        length = 0
        written = False
        if fieldname in analysed:
            length = analysed[fieldname]
            written = lengths_written
        elif indexed:
            items = value if isinstance(value, list) else list(field.index(value))
            terms = groups.get(fieldname) or pool.field_terms(fieldname)
            for tbytes, freq, weight, vbytes in items:
                terms[tbytes].append((docnum, weight, vbytes))
                length += freq
            added += len(items)
            if not scorable:
                length = 0
        stored = fields.get(stored_key, value)
        if not direct:
            add_field(fieldname, field, stored if keeps else None, length)
        else:
            if keeps and stored is not None:
                stored_fields[fieldname] = stored
            if length:
                if written:
                    field_lengths[fieldname] += length
                else:
                    add_field(fieldname, field, None, length)
        if column_type is not None and stored is not None:
            perdoc.add_column_value(fieldname, column_type, pool.column_value(fieldname, field, stored))
    perdoc.finish_doc()
    writer._added = True
    writer.docnum += 1
    pool.count += added
    if pool.count >= pool.limit:
        pool.spill()


SPILL_FOLDER = "spill"
"""The index folder's subfolder where posting runs spill (as `*.run` files)."""


def _spill_dir(index_dir: Path, clear: bool = True) -> Path:
    """Where posting runs spill; cleared here, since runs left by a killed writer are garbage (the caller
    holds the write lock, so no other writer is using them). Not `clear` for a segment worker's writers:
    the workers share the folder the session's writer cleared (`writing.SegmentBuilder`)."""
    spill = index_dir / SPILL_FOLDER
    spill.mkdir(mode=private.DIR_MODE, exist_ok=True)
    if clear:
        for stale in spill.glob("*.run"):
            with contextlib.suppress(OSError):
                stale.unlink()
    return spill


_RECORD_LEN = struct.Struct("<I")  # the length of a marshal record in a spilled run
_LAYOUTS = 64  # field layouts `field_order` remembers: a writer's documents come in a few


class GroupedPool:
    """The writer's posting pool, grouped by term.

    Whoosh's pool keeps one tuple per posting, sorts them all, and past its memory limit pickles every
    posting to a run file and merges them back one by one. Here postings are appended to their term's list,
    only the distinct terms are sorted, and a full pool spills as one marshal record per term; runs are
    merged by term. Memory stays bounded by `limit` postings.
    """

    def __init__(self, tempdir: Path, limit: int = 500_000) -> None:
        self.tempdir = tempdir
        self.limit = limit
        self.groups: dict[str, defaultdict[bytes, list[tuple[int, float, bytes]]]] = {}  # field -> term -> postings
        self.count = 0
        self.runs: list[str] = []
        self._facts: dict[str, tuple[Any, str, bool, bool, Any, bool]] | None = None
        self._direct: bool | None = None
        self._last_column: dict[str, tuple[Any, Any]] = {}
        self._orders: dict[tuple[str, ...], tuple[str, ...]] = {}  # `field_order`'s, by a document's field names

    def facts(self, schema: Any) -> dict[str, tuple[Any, str, bool, bool, Any, bool]]:
        """What `_add_document` asks of each field of `schema` (the schema of the pool's writer), asked once:
        the field, the key of its stored form, whether it is scorable, stored, its column type, and whether
        it is indexed."""
        if self._facts is None:
            self._facts = {name: (field, "_stored_" + name, field.scorable, field.stored, field.column_type,
                                  field.indexed) for name, field in schema.items()}
        return self._facts

    def field_order(self, fields: dict[str, Any]) -> tuple[str, ...]:
        """The names of a document's fields in the order they are written (sorted, the `_`-prefixed stored forms
        left out), made once per layout of document: a writer's documents come in a few layouts (at most
        `_LAYOUTS` are remembered, should a caller vary them)."""
        layout = tuple(fields)
        names = self._orders.get(layout)
        if names is None:
            names = tuple(sorted(k for k in layout if not k.startswith("_")))
            if len(self._orders) < _LAYOUTS:
                self._orders[layout] = names
        return names

    def direct(self, perdoc: Any) -> bool:
        """Whether `_add_document` may fill `perdoc` directly (`lengths.bulk_lengths`), asked once."""
        if self._direct is None:
            self._direct = bulk_lengths(perdoc)
        return self._direct

    def column_value(self, fieldname: str, field: Any, stored: Any) -> Any:
        """`field.to_column_value(stored)`, kept for the last value of each field: a date's is ~3 us to make,
        and a batch's quotes carry their article's date object."""
        last = self._last_column.get(fieldname)
        if last is not None and last[0] is stored:
            return last[1]
        value = field.to_column_value(stored)
        self._last_column[fieldname] = (stored, value)
        return value

    def field_terms(self, fieldname: str) -> defaultdict[bytes, list[tuple[int, float, bytes]]]:
        """One field's postings by term (a new term starts an empty list)."""
        terms = self.groups.get(fieldname)
        if terms is None:
            terms = self.groups[fieldname] = defaultdict(list)
        return terms

    def add(self, item: tuple[str, bytes, int, float, bytes]) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        self.field_terms(fieldname)[tbytes].append((docnum, weight, vbytes))
        self.count += 1
        if self.count >= self.limit:
            self.spill()

    def _pooled(self) -> Iterator[tuple[tuple[str, bytes], list[tuple[int, float, bytes]]]]:
        """The pooled `(field, term)` keys in order, each with its postings."""
        for fieldname in sorted(self.groups):
            terms = self.groups[fieldname]
            for tbytes in sorted(terms):
                yield (fieldname, tbytes), terms[tbytes]

    def spill(self) -> None:
        """Write the pooled postings out as a sorted run (if there are any) and empty the pool."""
        if not self.groups:
            return
        fd, path = tempfile.mkstemp(suffix=".run", dir=self.tempdir)
        with os.fdopen(fd, "wb") as f:
            for key, postings in self._pooled():
                data = marshal.dumps((key, postings))
                f.write(_RECORD_LEN.pack(len(data)))
                f.write(data)
        self.runs.append(path)
        self.groups = {}
        self.count = 0

    @staticmethod
    def _read(path: str, buffering: int) -> Iterator[tuple[tuple[str, bytes], list[tuple[int, float, bytes]]]]:
        """A run's records, each length-prefixed: `marshal.load` on a file makes a Python-level read per
        value it decodes, so records are read whole and decoded with `marshal.loads`."""
        size = _RECORD_LEN.size
        with open(path, "rb", buffering=buffering) as f:
            read = f.read
            while header := read(size):
                yield marshal.loads(read(_RECORD_LEN.unpack(header)[0]))

    def grouped(self) -> Iterator[tuple[tuple[str, bytes], list[tuple[int, float, bytes]]]]:
        """(field, term) keys in order, each with its postings (not yet sorted by docnum)."""
        if not self.runs:
            yield from self._pooled()
            return
        if self.groups:
            self.spill()
        first = operator.itemgetter(0)
        buffering = max(1 << 13, min(1 << 16, (4 << 20) // len(self.runs)))  # all runs are open at once
        merged = heapq.merge(*(self._read(p, buffering) for p in self.runs), key=first)
        for key, parts in itertools.groupby(merged, key=first):
            postings, *more = [run_postings for _key, run_postings in parts]
            for later in more:  # each list is fresh from its run: extended in place
                postings.extend(later)
            yield key, postings

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        """Every posting in (field, term, docnum) order, as Whoosh's segment writer expects."""
        for (fieldname, tbytes), postings in self.grouped():
            postings.sort()
            for docnum, weight, vbytes in postings:
                yield fieldname, tbytes, docnum, weight, vbytes

    def cleanup(self) -> None:
        for path in self.runs:
            with contextlib.suppress(OSError):
                os.remove(path)
        self.runs = []
