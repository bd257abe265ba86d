"""Writing a segment's pooled postings: each term's postings a block at a time, rare terms inline.

Whoosh's own loop makes several Python calls per posting and reads a field length through a column reader
per posting. Here field lengths are read once per field (`CachedLengths`), inline term entries are encoded
directly and written in batches (`_add_entries`), and block terms fill the codec's postings writer a block
at a time (`_add_postings`); same blocks, same statistics, same term table as Whoosh's path (tested).
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Iterator
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.system import pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from searchkit.engine import batch, inline
from searchkit.engine.codec import BlockCodec, BlockPostingsWriter
from searchkit.engine.lengths import read_lengths
from searchkit.engine.terminfo import inline_entry


def _flush_grouped(writer: SegmentWriter) -> None:
    """Write the pooled postings term by term, a block at a time (Whoosh's own loop makes several
    Python calls per posting); same blocks, same statistics. Most terms are rare and stored inline in the
    term table: their entries are encoded here directly (`_inline_terminfo`), the rest go through
    Whoosh's postings writer. Text fields analysed in batches are written from their rows (`batch`), each
    in its place in field order, straight into the codec's blocks (through Whoosh's postings writer when
    the codec is not searchkit's)."""
    batch.process(writer)
    writer.perdocwriter.close()
    lengths = writer.per_document_reader() if writer.codec.length_stats else None
    fieldwriter = writer.fieldwriter
    tindex = fieldwriter._tindex
    entries: list[tuple[bytes, bytes]] = []  # inline term entries not yet written (in key order)
    direct = isinstance(writer.codec, BlockCodec)
    for fieldname, terms in _fields(writer, direct):
        if terms is None:
            batch.write_field(writer, fieldname, entries, _add_entries)
            continue
        fieldwriter.start_field(fieldname, writer.schema[fieldname])
        field_lengths = lengths.lengths(fieldname) if lengths is not None else []
        field_codes = [length_to_byte(n) if n else 0 for n in field_lengths]
        postwriter = fieldwriter._postwriter
        inline_limit = min(postwriter._inlinelimit, postwriter._blocklimit + 1)
        prefix = pack_ushort(fieldwriter._fieldid)
        for tbytes, postings in terms:
            postings.sort()
            if len(postings) < inline_limit:
                entries.append((prefix + tbytes, _inline_terminfo(postings, field_lengths, direct)))
                if len(entries) >= 1024:  # a field of unique keys is all inline: keep the batch small
                    _add_entries(tindex, entries)
                continue
            _add_entries(tindex, entries)
            fieldwriter.start_term(tbytes)
            _add_postings(fieldwriter._postwriter, postings, field_lengths, field_codes)
            fieldwriter.finish_term()
        _add_entries(tindex, entries)
        fieldwriter.finish_field()
    fieldwriter.close()
    if lengths is not None:
        lengths.close()


Postings = list[tuple[int, float, bytes]]


def _fields(writer: SegmentWriter, direct: bool) -> Iterator[tuple[str, Iterator[tuple[bytes, Postings]] | None]]:
    """Every field with postings, in name order, with its terms' postings: the pool's grouped postings,
    or for a text field `None` when `batch` writes it `direct`ly, else postings made from its rows."""
    pool = writer.pool
    texts = sorted(name for name, rows in pool.rows.items() if len(rows))
    by_field = itertools.groupby(pool.grouped(), key=lambda grouped: grouped[0][0])
    for fieldname, group in itertools.chain(by_field, [(None, iter(()))]):
        while texts and (fieldname is None or texts[0] < fieldname):
            text = texts.pop(0)
            yield text, None if direct else batch.term_postings(writer, text)
        if fieldname is not None:
            yield fieldname, ((tbytes, postings) for (_field, tbytes), postings in group)


def _add_entries(tindex: Any, entries: list[tuple[bytes, bytes]]) -> None:
    """Add `entries` (in key order) to a term table writer, then clear them: in one call to searchkit's
    (`termtable.TermTableWriter.add_many`), one by one to Whoosh's."""
    if not entries:
        return
    add_many = getattr(tindex, "add_many", None)
    if add_many is not None:
        add_many(entries)
    else:
        for key, value in entries:
            tindex.add(key, value)
    entries.clear()


def _inline_terminfo(postings: list[tuple[int, float, bytes]], lengths: list[int], compact: bool = True) -> bytes:
    """A term table entry with the postings inlined, byte for byte what `W3FieldWriter.finish_term`
    writes for a short posting list through the codec (`terminfo.BlockTermInfo`, tested); not `compact` for a
    codec other than searchkit's (Whoosh's reader reads only its own layout)."""
    if len(postings) == 1:  # the commonest case by far, spelled out
        ((docnum, weight, value),) = postings
        length = lengths[docnum] if docnum < len(lengths) else 0
        mincode, maxcode = length_to_byte(length) if length else 0, length_to_byte(length)
        entry = inline.single(docnum, weight, value, mincode, maxcode) if compact else None
        if entry is not None:  # a whole weight: the same as a 32-bit float, as Whoosh buffers it
            return entry
        buffered_weight = array("f", (weight,))[0]  # Whoosh buffers weights as 32-bit floats
        return inline_entry((docnum,), (buffered_weight,), (value,) if value else (), mincode, maxcode, compact)
    ids, weights, values = zip(*postings, strict=True)
    known = len(lengths)
    lens = [lengths[d] for d in ids if d < known and lengths[d]]
    return inline_entry(ids, tuple(array("f", weights)), tuple(v for v in values if v),
                        length_to_byte(min(lens)) if lens else 0, length_to_byte(max(lens) if lens else 0), compact)


def _add_postings(pw: Any, postings: list[tuple[int, float, bytes]], lengths: list[int],
                  codes: list[int] | None = None) -> None:
    """Fill a W3 postings writer's blocks from sorted postings, as `add_posting` would one by one (`codes`:
    each document's one-byte length code, encoded from `lengths` when not given)."""
    limit = pw._blocklimit
    known = len(lengths)
    if codes is None:
        codes = [length_to_byte(n) if n else 0 for n in lengths]
    bounded = isinstance(pw, BlockPostingsWriter)  # keeps score bounds (Whoosh's own writer does not)
    for i in range(0, len(postings), limit):
        if pw._ids:
            pw._write_block()
        ids, weights, values = zip(*postings[i:i + limit], strict=True)
        pw._ids.extend(ids)
        pw._weights.extend(weights)
        pw._maxweight = max(0, *weights)
        pw._values.extend(v for v in values if v)
        if bounded:
            pw._codes.extend([codes[d] if d < known else 0 for d in ids])
        lens = [lengths[d] for d in ids if d < known and lengths[d]]
        if lens:
            pw._minlength = min(lens)
            pw._maxlength = max(lens)


class _CachedLengths:
    """Wraps the per-document reader Whoosh consults once per posting while writing a segment, so each
    field's lengths column is read once rather than once per posting (the top cost of a commit)."""

    def __init__(self, reader: Any) -> None:
        self._inner = reader
        self._by_field: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self.lengths(fieldname)
        return lengths[docnum] if docnum < len(lengths) else default

    def lengths(self, fieldname: str) -> list[int]:
        """Every document's length in a field (0 where absent)."""
        lengths = self._by_field.get(fieldname)
        if lengths is None:
            lengths = self._by_field[fieldname] = self._load(fieldname)
        return lengths

    def _load(self, fieldname: str) -> list[int]:
        column = _lenfield(fieldname)
        if not self._inner.has_column(column):
            return []
        return read_lengths(self._inner.column_reader(column, LENGTHS_COLUMN), missing=0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
