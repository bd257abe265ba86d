"""The on-disk codec: Whoosh's W3 format, with posting blocks pickled at protocol 5 and positions stored as
one stream of byte planes per block.

Whoosh pickles each posting block (ids, weights, encoded positions) at protocol 2, which has no opcode for
bytes: every position value is stored as a latin-1 string plus a call to `_codecs.encode`, and rebuilt by
that call when read. Here blocks are pickled at protocol 5, and a positional field's block keeps its
positions not as one pickled list per posting but as the block's positions in byte planes, beside its
ids' (`positions`, `(first, weights, None, None, None, planes, gaps)`), read as *position keys*
`doc << KEY_SHIFT | pos` in C iterators; a phrase check matches keys with set operations, instead of
decoding and shifting one list per document in Python. Blocks written before hold the keys themselves,
delta-coded and pickled (`(ids, weights, None, keys)`), and still read.

A block of a field without positions also keeps its *score bounds*: for each run of `BOUND_CHUNK`
postings, the `(length code, frequency)` pairs no other posting of the run beats on both (shorter or as
short, and as frequent or more). BM25 grows with frequency and falls with length, so the best score in the
run, whatever the collection statistics, is the best of those few pairs; a single-word search scores only
the runs that can still reach its top results (`bulkscore`). A frequency field's block is stored as
`(first, weights, None, None, bounds, None, gaps)` (`positions`: its values are its weights, packed, and are
rebuilt from them), another field's as `(ids, weights, values, None, bounds)`.

Frequencies are stored one byte each when they are whole numbers below 256 (nearly always): pickled
floats take nine bytes each, and were most of a block's size and of its decoding time.

`BlockLeafMatcher` reads every layout and gives Whoosh's matchers the per-posting values they expect
(rebuilt from the keys, byte for byte what `Positions.encode` writes), so indexes written before still
open and Whoosh's own span queries and merges work unchanged. This module is named in every segment's
pickled table of contents, so it stays small.
"""

from __future__ import annotations

import contextlib
import pickle
import zlib
from array import array
from bisect import bisect_left
from itertools import accumulate, groupby, repeat
from operator import lt
from typing import Any

from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3LeafMatcher,
    W3PerDocReader,
    W3PerDocWriter,
    W3PostingsWriter,
)
from whoosh.formats import Frequency, Positions
from whoosh.system import _INT_SIZE, pack_uint
from whoosh.util.numeric import length_to_byte

from searchkit.engine import inline, positions, unpickle
from searchkit.engine.stored import STORED
from searchkit.engine.termfields import BlockFieldWriter, BlockTermsReader
from searchkit.engine.terminfo import BLOCK_PROTOCOL, BlockTermInfo

KEY_SHIFT = positions.SHIFT  # position key: document number << KEY_SHIFT | position
_POSITION = (1 << KEY_SHIFT) - 1  # a key's position bits
BOUND_CHUNK = 128  # postings per score bound


def position_keys(ids: Any, values: list[bytes]) -> list[int] | None:
    """The position keys of a block's postings, in order, or `None` if a value is not a `Positions.encode`
    value (a count, then a protocol-2 pickled list of position gaps) or the keys would not ascend (positions
    out of order or past `KEY_SHIFT` bits): such a block keeps its values as they are."""
    if not (all(map(bytes.startswith, values, repeat(inline.VALUE_HEAD), repeat(_INT_SIZE)))
            and all(map(bytes.endswith, values, repeat(b".")))):
        return None
    body = b"".join(map(bytes.__getitem__, values, repeat(slice(_INT_SIZE + 2, -1))))
    keys: list[int] = []
    for doc, gaps in zip(ids, unpickle.loads(inline.VALUE_HEAD + b"](" + body + b"e."), strict=True):
        start = len(keys)
        gaps[0] += doc << KEY_SHIFT
        keys += accumulate(gaps)
        if not keys[start] >> KEY_SHIFT == doc == keys[-1] >> KEY_SHIFT:
            return None
    return keys if all(map(lt, keys, keys[1:])) else None


Bounds = tuple[int, tuple[tuple[float, ...], ...]]  # postings per run, each run's bound pairs


def score_bounds(weights: Any, codes: list[int], chunk: int | None = None) -> Bounds:
    """Each run of `chunk` postings' undominated pairs, flattened as `(code, weight, code, weight, ...)`
    with codes ascending and weights strictly rising: every posting of the run has a pair with a code no
    higher and a weight no lower. The run length is stored with them."""
    chunk = chunk or BOUND_CHUNK
    out = []
    for start in range(0, len(codes), chunk):
        best: dict[int, float] = {}
        for code, weight in zip(codes[start:start + chunk], weights[start:start + chunk], strict=True):
            if weight > best.get(code, -1.0):
                best[code] = weight
        pairs: list[float] = []
        top = -1.0
        for code in sorted(best):
            if best[code] > top:
                top = best[code]
                pairs += (code, top)
        out.append(tuple(pairs))
    return chunk, tuple(out)


def byte_weights(weights: Any) -> Any:
    """A block's minified weights as bytes when they are a tuple of whole numbers below 256, else as given."""
    if type(weights) is tuple and all(map(float.is_integer, weights)):
        with contextlib.suppress(ValueError):  # a frequency of 256 or more
            return bytes(map(int, weights))
    return weights


def stored_bounds(data: tuple[Any, ...]) -> Bounds | None:
    """The score bounds of an unpickled block, or `None` when the block has none."""
    return data[4] if len(data) > 4 else None


def stored_keys(data: tuple[Any, ...]) -> bytes | None:
    """The stored position keys of an unpickled block of layout 4, or `None` for another layout."""
    return data[3] if len(data) == 4 else None


def stored_planes(data: tuple[Any, ...]) -> bytes | None:
    """The stored position planes (`positions`) of an unpickled block, or `None` for another layout."""
    return data[5] if len(data) == positions.LAYOUT else None


def planes_of(ids: list[int], weights: Any, values: list[bytes]) -> bytes | None:
    """A positional block's position planes (`positions.encode`) from its absolute ids, weights as Whoosh's
    writer buffers them and per-posting values, or `None` when they cannot be (values not `Positions.encode`
    values of ascending positions, or a weight that is not its posting's count)."""
    keys = position_keys(ids, values)
    if keys is None:
        return None
    per = [sum(1 for _ in run) for _doc, run in groupby(keys, lambda key: key >> KEY_SHIFT)]
    if len(per) != len(ids) or list(map(float, per)) != list(map(float, weights)):
        return None
    return positions.encode([k & _POSITION for k in keys])


def read_keys(blob: bytes) -> list[int]:
    """A block's position keys from its stored form."""
    return list(accumulate(unpickle.loads(blob)))


encode_positions = inline.position_value  # `whoosh.formats.Positions.encode`, byte for byte


def values_from_keys(ids: Any, keys: list[int]) -> tuple[bytes, ...]:
    """Per-posting `Positions.encode` values of a block, from its position keys."""
    out = []
    lo = 0
    for doc in ids:
        hi = bisect_left(keys, (doc + 1) << KEY_SHIFT, lo)
        base = doc << KEY_SHIFT
        out.append(encode_positions([k - base for k in keys[lo:hi]]))
        lo = hi
    return tuple(out)


class BlockPostingsWriter(W3PostingsWriter):
    """`W3PostingsWriter` whose blocks are pickled at `BLOCK_PROTOCOL`, positions as one key stream, and
    whose blocks without positions carry score bounds (when every posting's length is known)."""

    def start_postings(self, format_: Any, terminfo: Any) -> None:
        super().start_postings(format_, BlockTermInfo())  # Whoosh's field writer always passes a W3TermInfo

    def _new_block(self) -> None:
        super()._new_block()
        self._codes: list[int] = []  # each buffered posting's one-byte length code

    def _mini_weights(self) -> Any:
        """Whoosh's minified weights, with whole frequencies below 256 as one byte each."""
        return byte_weights(super()._mini_weights())

    def add_posting(self, id_: Any, weight: float, vbytes: bytes, length: int | None = None) -> None:
        super().add_posting(id_, weight, vbytes, length)
        self._codes.append(length_to_byte(length) if length else 0)

    def _write_block(self, last: bool = False) -> None:
        """`W3PostingsWriter._write_block` (Whoosh 2.7.4) with the block data pickled at protocol 5 and a
        positional block's values replaced by its position keys; the block header (counts and statistics
        the reader skips by) is unchanged."""
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        positional = type(self._format) is Positions
        planes = planes_of(self._ids, self._weights, self._values) if positional else None
        bounds = score_bounds(self._weights, self._codes) if not positional and len(self._codes) == len(
            self._ids) else None
        if planes is not None:
            data: tuple[Any, ...] = positions.block_data(self._mini_ids(), self._mini_weights(), planes)
        elif bounds is not None and type(self._format) is Frequency and self._values == [
                pack_uint(int(w)) if float(w).is_integer() else None for w in self._weights]:
            data = positions.block_data(self._mini_ids(), self._mini_weights(), None, bounds=bounds)
        elif bounds is not None:
            data = (self._mini_ids(), self._mini_weights(), self._mini_values(), None, bounds)
        else:
            data = (self._mini_ids(), self._mini_weights(), self._mini_values())
        databytes = pickle.dumps(data, BLOCK_PROTOCOL)
        comp = self._compression
        if comp:
            databytes = zlib.compress(databytes, comp)
        ids = self._ids
        infobytes = pickle.dumps((len(ids), ids[-1], self._maxweight, comp, length_to_byte(self._minlength),
                                  length_to_byte(self._maxlength)), 2)
        blocklength = len(infobytes) + len(databytes)
        self._postfile.write_int(-blocklength if last else blocklength)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class BlockLeafMatcher(W3LeafMatcher):
    """`W3LeafMatcher` that also reads blocks whose positions are stored as keys or planes and whose
    frequencies are stored as bytes."""

    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        if len(self._data) != positions.LAYOUT:
            super()._read_ids()
            return
        self._ids = tuple(positions.ids(self._data, self._blocklength))

    def _read_weights(self) -> None:
        super()._read_weights()
        if isinstance(self._weights, bytes):
            self._weights = array("f", list(self._weights))

    def _read_values(self) -> None:
        if self._data is None:
            self._read_data()
        blob, planes = stored_keys(self._data), stored_planes(self._data)
        if blob is None and planes is None:
            if len(self._data) == positions.LAYOUT:  # a frequency block: each value is its weight, packed
                self._values = tuple(map(pack_uint, positions.counts(self._data[1], self._blocklength)))
            else:
                super()._read_values()
            return
        if self._ids is None:
            self._read_ids()
        keys = read_keys(blob) if planes is None else positions.keys(self._ids, self._data[1], planes)
        self._values = values_from_keys(self._ids, keys)


class BlockPerDocWriter(W3PerDocWriter):
    """`W3PerDocWriter` writing stored fields in a `StoredColumn`."""

    def _create_column(self, fieldname: str, column: Any) -> None:
        super()._create_column(fieldname, STORED if fieldname == "_stored" else column)


class BlockPerDocReader(W3PerDocReader):
    """`W3PerDocReader` reading stored fields from a `StoredColumn`."""

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        reader = self._cached_reader("_stored", STORED)
        found = reader[docnum] if reader is not None else None
        return {} if found is None else found


class BlockCodec(W3Codec):
    """`W3Codec` writing its posting blocks with `BlockPostingsWriter` (reading with `BlockLeafMatcher`),
    its term infos with `BlockTermInfo` in a front-coded term table (`termfields`, `termtable`) and its stored
    fields in a `StoredColumn`."""

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> BlockPostingsWriter:
        return BlockPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                   compression=self._compression, inlinelimit=self._inlinelimit)

    def field_writer(self, storage: Any, segment: Any) -> Any:
        return BlockFieldWriter(self, storage, segment)

    def per_document_writer(self, storage: Any, segment: Any) -> BlockPerDocWriter:
        return BlockPerDocWriter(self, storage, segment)

    def per_document_reader(self, storage: Any, segment: Any) -> BlockPerDocReader:
        return BlockPerDocReader(storage, segment)

    def terms_reader(self, storage: Any, segment: Any) -> Any:
        name = segment.make_filename(self.TERMS_EXT)
        length = storage.file_length(name)
        return BlockTermsReader(self, storage.open_file(name), length, segment.open_file(storage, self.POSTS_EXT))

    def postings_reader(self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None,
                        scorer: Any = None) -> Any:
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return BlockLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
