"""A term table entry (Whoosh's `W3TermInfo`) as searchkit writes and reads it: short posting lists inlined
compactly (`inline`) or pickled at `BLOCK_PROTOCOL`. Apart from `codec` so that the term table's reader and
writer (`termfields`), which `codec.BlockCodec` makes, can use it without importing `codec`."""

from __future__ import annotations

import pickle
from typing import Any

from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.util.numeric import byte_to_length

from searchkit.engine import inline

BLOCK_PROTOCOL = 5  # pickle protocol of posting blocks and of term entries that cannot be compact


def inline_entry(ids: Any, weights: Any, values: Any, mincode: int, maxcode: int, compact: bool = True) -> bytes:
    """The term table value of a short posting list (values empty or one per posting, weights as Whoosh's
    writer buffers them, the length codes of its shortest and longest document): compact (`inline`) when it
    can be and `compact` (the table is `BlockCodec`'s), else `W3TermInfo`'s statistics header and a
    protocol-5 pickle of the postings (which Whoosh's own reader reads)."""
    entry = inline.from_values(ids, weights, values, mincode, maxcode) if compact else None
    if entry is not None:
        return entry
    postings = (tuple(ids), tuple(weights), tuple(values))
    return _header(ids, weights, mincode, maxcode) + pickle.dumps(postings, BLOCK_PROTOCOL)


class BlockTermInfo(W3TermInfo):
    """`W3TermInfo` whose inlined postings are written compactly (`inline`: a word seen once took ~70
    bytes, Whoosh's statistics header and a pickle; inlined postings are most of a term table, which is most
    of an index), or, when they cannot be, pickled at `BLOCK_PROTOCOL` (Whoosh's protocol 2 spells every
    position value as a latin-1 string and a function call). `from_bytes` reads all three layouts, so older
    term tables still read. `set_inline` is the name Whoosh 2.7.4's postings writer calls (a misspelling of
    `set_inlined`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._entry: inline.Entry | None = None  # a compact entry read, its postings not rebuilt yet

    def set_inline(self, ids: Any, weights: Any, values: Any) -> None:
        self.set_inlined(ids, weights, values)

    def is_inlined(self) -> bool:
        return self._inlined is not None or self._entry is not None

    def inlined_postings(self) -> Any:
        if self._inlined is None and self._entry is not None:
            self._inlined = self._entry.postings()
        return self._inlined

    def to_bytes(self) -> bytes:
        if not self.is_inlined():
            return super().to_bytes()
        head = super().to_bytes()[:self._struct.size]  # the statistics (then a protocol-2 pickle, dropped)
        ids, weights, values = self.inlined_postings()
        compact = inline.from_values(ids, weights, values, head[9], head[10])
        if compact is not None and _header(ids, weights, head[9], head[10]) == head:  # the header says what they do
            return compact
        return head + pickle.dumps(self._inlined, BLOCK_PROTOCOL)

    @classmethod
    def from_bytes(cls, s: bytes) -> BlockTermInfo:
        if not inline.is_compact(s):
            return super().from_bytes(s)
        entry = inline.Entry(s)
        info = cls()
        info._weight, info._df = entry.weight, len(entry.ids)
        info._minlength, info._maxlength = byte_to_length(entry.codes[0]), byte_to_length(entry.codes[1])
        info._maxweight = float(max(entry.freqs))
        info._minid, info._maxid = entry.ids[0], entry.ids[-1]
        info._entry = entry
        return info


def _header(ids: Any, weights: Any, mincode: int, maxcode: int) -> bytes:
    """The `W3TermInfo` statistics header of a short posting list, as Whoosh's writer packs it (what
    `BlockTermInfo.from_bytes` reads back from a compact entry): one formula for writing and checking."""
    return W3TermInfo._struct.pack(True, 0 + sum(weights), len(ids), mincode, maxcode, max(0, *weights), ids[0],
                                   ids[-1])
