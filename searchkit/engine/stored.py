"""The stored fields' column: each document's stored dict pickled and deflated on its own, with a dictionary
made of the segment's first records.

Whoosh's `STORED_COLUMN` compresses each record alone; a record of a few hundred bytes (a quote) or a few
kilobytes (a short news article) then pays for zlib learning anew what every record of the index shares:
the field names, the folder of the files, the dates' layout, the wording of news reports ("(Reuters) -",
"said on Tuesday", "percent"). Here a segment's first `SAMPLE_RECORDS` records, joined (the last
`DICT_RECORDS` records' worth of bytes, at most `DICT_LIMIT`: zlib's window), are the dictionary every record
of the segment is deflated with:
13% smaller article records than with the first record's first 8 KB as dictionary (schema 6), 20% smaller
quotes, at 27 µs per article read instead of 21 (measured on a 105k index's largest segments). Records are
raw deflate streams (no zlib header, dictionary id and checksum: 10 bytes a record); the dictionary itself is
stored once, zlib-compressed, at the head of the segment's first record.

A value's first byte says which it is: `_HEAD` (the first record: a 4-byte length, the compressed dictionary,
then the record) or `_SHARED` (any other). A document without stored fields has an empty value.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from collections.abc import Iterator
from typing import Any

from whoosh.columns import VarBytesColumn

from searchkit.engine import unpickle

PROTOCOL = 5
SAMPLE_RECORDS = 64  # records joined into a segment's dictionary
DICT_LIMIT = 32 * 1024  # zlib's window: bytes of a dictionary further back are never referred to
DICT_RECORDS = 16
"""A dictionary holds about this many of the sample's records (up to `DICT_LIMIT`): zlib primes every record
with the whole dictionary, so a quote (~235 bytes) paid 31 µs with 32 KB and pays 17 µs with 4 KB, 7% larger."""
LEVEL = 4  # level 4 over 6: 4% larger articles, 120 µs instead of 200 per article written (measured)
_HEAD, _SHARED = b"\x02", b"\x03"  # (0 and 1 were schema 6's first record and the records primed by it)
_LENGTH = struct.Struct(">I")
_RAW = -15  # zlib's window bits for a raw deflate stream (no header or checksum)
_SMALLEST_WINDOW = 9  # window bits: zlib's smallest for a raw stream
_LOOKAHEAD = 262  # zlib's MIN_LOOKAHEAD: a window of 2**bits bytes reaches back 2**bits - 262 of them


def window_bits(reach: int) -> int:
    """The fewest window bits (9 to 15) with which a raw deflate stream whose dictionary and data together
    are `reach` bytes comes out byte for byte as with 15: deflate's choices depend on the window only through
    how far back a match may reach (2**bits - 262 bytes) and when it slides (never, within that), so a window
    that reaches the dictionary's first byte from the data's last changes nothing (tested). 15 past that."""
    return min(15, max(_SMALLEST_WINDOW, (reach + _LOOKAHEAD - 1).bit_length()))


def _split_head(v: bytes) -> tuple[memoryview, memoryview]:
    """A first record's value: its compressed dictionary and its record."""
    start = 1 + _LENGTH.size
    end = start + _LENGTH.unpack_from(v, 1)[0]
    return memoryview(v)[start:end], memoryview(v)[end:]


class StoredColumn(VarBytesColumn):
    """The stored fields' column (see the module docstring)."""

    def writer(self, dbfile: Any) -> StoredWriter:
        return StoredWriter(dbfile)

    def reader(self, dbfile: Any, basepos: int, length: int, doccount: int) -> StoredReader:
        return StoredReader(dbfile, basepos, length, doccount)


STORED = StoredColumn()


class StoredWriter(VarBytesColumn.Writer):
    def __init__(self, dbfile: Any) -> None:
        # every document's offset is stored (4 bytes each): Whoosh writes them only past 32,768 documents and
        # otherwise rebuilds them from the lengths in a Python loop whenever a reader opens the column (~10 ms
        # of a one-shot search at 10^5 articles, to fetch ten documents)
        super().__init__(dbfile, cutoff=0)
        self._waiting: list[tuple[int, bytes]] = []  # the first records, held until they make the dictionary
        self._zdict: bytes | None = None
        self._primed: dict[int, Any] = {}  # window bits -> a compressor primed with the dictionary

    def add(self, docnum: int, v: Any) -> None:
        data = pickle.dumps(v, PROTOCOL)
        if self._zdict is not None:
            super().add(docnum, _SHARED + self._deflate(data))
            return
        self._waiting.append((docnum, data))
        if len(self._waiting) == SAMPLE_RECORDS:
            self._release()

    def _release(self) -> None:
        """Make the dictionary of the held records and write them."""
        waiting, self._waiting = self._waiting, []
        sample = b"".join(data for _docnum, data in waiting)
        self._zdict = sample[-min(DICT_LIMIT, DICT_RECORDS * len(sample) // len(waiting)):]
        packed = zlib.compress(self._zdict, 9)
        for number, (docnum, data) in enumerate(waiting):
            head = _HEAD + _LENGTH.pack(len(packed)) + packed if number == 0 else _SHARED
            super().add(docnum, head + self._deflate(data))

    def _deflate(self, data: bytes) -> bytes:
        """`data` deflated with the dictionary. A copy of a primed compressor is the compressor
        `compressobj(zdict=...)` makes, for less: an article's record took 112 µs, 71 copied (a 32 KB
        dictionary: priming hashes every byte of it). The copy moves the compressor's window (4 bytes per
        byte it reaches) besides its 128 KB of tables, so a record that the dictionary and itself keep within a
        smaller window (`window_bits`: a quote's, ~4 KB with a ~0.25 KB record) is deflated by a compressor of
        that window: the same bytes, 160 KB copied per record instead of 256 (20 -> 15 µs a quote record)."""
        zdict = self._zdict or b""  # (made before the first record is deflated)
        bits = window_bits(len(zdict) + len(data))
        primed = self._primed.get(bits)
        if primed is None:
            primed = self._primed[bits] = zlib.compressobj(LEVEL, zlib.DEFLATED, -bits, zdict=zdict)
        packer = primed.copy()
        return packer.compress(data) + packer.flush()

    def finish(self, doccount: int) -> None:
        if self._waiting:
            self._release()
        super().finish(doccount)


class StoredReader(VarBytesColumn.Reader):
    _zdict: bytes | None = None

    def __getitem__(self, docnum: int) -> Any:
        v = super().__getitem__(docnum)
        if not v:
            return None
        tag = v[:1]
        if tag == _SHARED:
            data = memoryview(v)[1:]
        elif tag == _HEAD:
            data = _split_head(v)[1]
        else:
            raise ValueError("damaged stored fields")
        if self._zdict is None:
            self._zdict = self._dictionary()
        unpacker = zlib.decompressobj(_RAW, zdict=self._zdict)
        return unpickle.loads(unpacker.decompress(data) + unpacker.flush())

    def _dictionary(self) -> bytes:
        """The segment's dictionary, from the head of its first record."""
        for docnum in range(self._doccount):
            v = super().__getitem__(docnum)
            if v[:1] == _HEAD:
                return zlib.decompress(_split_head(v)[0])
            if v:
                break
        raise ValueError("damaged stored fields: no dictionary")

    def __iter__(self) -> Iterator[Any]:
        return (self[docnum] for docnum in range(self._doccount))
