"""A segment's term table: its `(field id, term) -> term info` entries, sorted and front-coded in blocks.

Whoosh's table (`filetables.OrderedHashWriter`) spells every key whole and spends about 28 bytes a term on
its hash file (two record lengths, a hash slot, a position in its ordered index), though nine in ten entries
are a few bytes of inline postings and sorted keys share long prefixes (paths in `id` / `source` / `key`,
stems of one root). Here, after the magic `MAGIC`, entries are written in key order in blocks of
`BLOCK_TERMS`. A block's first key is kept in the index only; every other key is stored as the length of
the prefix it shares with the key before it and the rest. A block is its entry count (LEB128), the byte
widths (1, 2 or 4) of its key lengths and of its value lengths, then little-endian arrays of those widths:
the shared lengths and the rest lengths of its entries but the first, the value lengths of all; then the
rests joined, then the values joined. Arrays rather than a length before each entry let a lookup walk a
block's keys with one slice and one join each (`_walk`), the lengths iterated in C.

The values are the term infos exactly as Whoosh's table held them (`terminfo.BlockTermInfo`). After the blocks
comes the index, read when the table is first searched: every block's first key joined, then `count + 1`
little-endian uint32 ends of those keys (from 0), then `count + 1` uint64 block offsets (the last is where
the index starts); then the field map as JSON; then `FOOTER` (index offset, block count, total key bytes,
field map bytes, magic). A lookup bisects every `TOP`th first key (a list made on loading), then the
blocks between two of them, reads one block and walks at most `BLOCK_TERMS` keys.
"""

from __future__ import annotations

import json
import os
import struct
import sys
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate
from operator import lt
from typing import Any

from searchkit.engine.inline import put_number

MAGIC = b"SKT1"
FOOTER = struct.Struct("<QQQQ4s")
BLOCK_TERMS = 32
TOP = 32  # blocks per first key of the list bisected in C
_WIDTHS = {1: "B", 2: "H", 4: "I"}
_BIG = sys.byteorder == "big"


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    """The LEB128 number at `pos` (as `inline.put_number` writes it) and the position after it."""
    n = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        n |= (b & 127) << shift
        if b < 128:
            return n, pos
        shift += 7


def _packed(numbers: list[int], width: int) -> bytes:
    """`numbers` as a little-endian array of `width` bytes each."""
    out = array(_WIDTHS[width], numbers)
    if _BIG:
        out.byteswap()
    return out.tobytes()


def _unpacked(buf: bytes, width: int) -> Any:
    """A little-endian array of `width`-byte numbers (the bytes themselves when `width` is 1)."""
    if width == 1:
        return buf
    out = array(_WIDTHS[width], buf)
    if _BIG:
        out.byteswap()
    return out


def _width(numbers: list[int]) -> int:
    top = max(numbers, default=0)
    return 1 if top < 1 << 8 else 2 if top < 1 << 16 else 4


def shared_prefix(a: bytes, b: bytes) -> int:
    """The length of the prefix `a` and `b` share (integer arithmetic in C, not a loop over bytes)."""
    n = min(len(a), len(b))
    diff = int.from_bytes(a[:n], "big") ^ int.from_bytes(b[:n], "big")
    return n - (diff.bit_length() + 7) // 8


_ARRAY_PREFIXES = 64  # keys from which `shared_prefixes` compares them in arrays rather than pair by pair


def shared_prefixes(keys: list[bytes]) -> list[int]:
    """`shared_prefix` of each key and the next: many keys' bytes compared at once in arrays (a call per pair
    was most of writing a table)."""
    if len(keys) < _ARRAY_PREFIXES:
        return list(map(shared_prefix, keys, keys[1:]))
    import numpy as np  # here: searches read tables, and never import numpy (index time only)

    lens = np.fromiter(map(len, keys), np.int64, len(keys))
    data = np.frombuffer(b"".join(keys), np.uint8)
    starts = np.cumsum(lens) - lens
    compared = np.minimum(lens[:-1], lens[1:])  # bytes of each pair compared
    pair = np.repeat(np.arange(len(compared)), compared)
    at = np.arange(len(pair)) - np.repeat(np.cumsum(compared) - compared, compared)  # a byte's place in its key
    differ = np.flatnonzero(data[starts[:-1][pair] + at] != data[starts[1:][pair] + at])
    first = np.ones(len(differ), bool)  # the first differing byte of each pair that has one
    np.not_equal(pair[differ[1:]], pair[differ[:-1]], out=first[1:])
    shared = compared.copy()
    shared[pair[differ[first]]] = at[differ[first]]
    return shared.tolist()


def encode_block(keys: list[bytes], values: list[bytes], shared: list[int] | None = None) -> bytes:
    """A block of entries (its first key is not in it: the index keeps it); `shared`, when given, is
    `shared_prefixes(keys)`."""
    if shared is None:
        shared = shared_prefixes(keys)
    rests = [key[n:] for n, key in zip(shared, keys[1:], strict=True)]
    rest_lens, value_lens = list(map(len, rests)), list(map(len, values))
    kw, vw = _width(shared + rest_lens), _width(value_lens)
    count = bytearray()
    put_number(count, len(keys))
    return b"".join((bytes(count), bytes((kw, vw)), _packed(shared, kw), _packed(rest_lens, kw),
                     _packed(value_lens, vw), *rests, *values))


class _Block:
    """A block read: its first key, the arrays of its lengths, and where its rests and its values start."""

    __slots__ = ("data", "first", "rest_lens", "rests", "shared", "value_lens", "values")

    def __init__(self, first: bytes, data: bytes) -> None:
        count, pos = _read_varint(data, 0)
        kw, vw = data[pos], data[pos + 1]
        pos += 2
        end = pos + (count - 1) * kw
        self.shared = _unpacked(data[pos:end], kw)
        pos, end = end, end + (count - 1) * kw
        self.rest_lens = _unpacked(data[pos:end], kw)
        pos, end = end, end + count * vw
        self.value_lens = _unpacked(data[pos:end], vw)
        self.rests = end
        self.values = end + sum(self.rest_lens)
        self.first, self.data = first, data

    def value(self, i: int) -> bytes:
        start = self.values + sum(self.value_lens[:i])
        return self.data[start:start + self.value_lens[i]]

    def find(self, key: bytes) -> bytes | None:
        """The value of `key` in this block (whose first key is not after it), or `None`."""
        cur = self.first
        if cur == key:
            return self.value(0)
        data, pos = self.data, self.rests
        for i, n, size in zip(range(1, len(self.value_lens)), self.shared, self.rest_lens, strict=True):
            cur = cur[:n] + data[pos:pos + size]
            if cur >= key:
                return self.value(i) if cur == key else None
            pos += size
        return None

    def items(self) -> Iterator[tuple[bytes, bytes]]:
        """The block's entries in order."""
        data, cur, pos = self.data, self.first, self.rests
        bounds = list(accumulate(self.value_lens, initial=self.values))
        yield cur, data[bounds[0]:bounds[1]]
        for n, size, start, end in zip(self.shared, self.rest_lens, bounds[1:], bounds[2:], strict=False):
            cur = cur[:n] + data[pos:pos + size]
            pos += size
            yield cur, data[start:end]


class TermTableWriter:
    """Writes a term table: keys strictly ascending (`add`, `add_many`), then `close`. `extras["fieldmap"]`
    (field name -> id) is what Whoosh's field writer fills in."""

    def __init__(self, dbfile: Any, block_terms: int = BLOCK_TERMS) -> None:
        self.dbfile = dbfile
        self.extras: dict[str, Any] = {}
        self.lastkey = b""
        self._block_terms = block_terms
        self._firsts: list[bytes] = []
        self._block_offsets = array("Q")
        self._keys: list[bytes] = []  # the current block's entries
        self._values: list[bytes] = []
        dbfile.write(MAGIC)

    def add(self, key: bytes, value: bytes) -> None:
        self.add_many([(key, value)])

    def add_many(self, entries: Iterable[tuple[bytes, bytes]]) -> None:
        """Append entries in key order; full blocks are written, with one file write for them all, their keys'
        shared prefixes found at once (`shared_prefixes`)."""
        entries = list(entries)
        if not entries:
            return
        added = [key for key, _value in entries]
        if not all(map(lt, [self.lastkey, *added[:-1]], added)):
            prev, key = next((a, b) for a, b in zip([self.lastkey, *added[:-1]], added, strict=True) if b <= a)
            raise ValueError(f"Keys must increase: {prev!r}..{key!r}")
        keys, values, limit = self._keys, self._values, self._block_terms
        keys += added
        values += [value for _key, value in entries]
        self.lastkey = added[-1]
        full = len(keys) - len(keys) % limit
        if not full:
            return
        shared = shared_prefixes(keys[:full])
        blocks: list[bytes] = []
        pos = self.dbfile.tell()
        for start in range(0, full, limit):
            self._firsts.append(keys[start])
            self._block_offsets.append(pos)
            end = start + limit
            blocks.append(encode_block(keys[start:end], values[start:end], shared[start:end - 1]))
            pos += len(blocks[-1])
        del keys[:full], values[:full]
        self.dbfile.write(b"".join(blocks))

    def _end_block(self, blocks: list[bytes], pos: int) -> int:
        """Encode the current block into `blocks` (to be written at `pos`); the position after it."""
        self._firsts.append(self._keys[0])
        self._block_offsets.append(pos)
        blocks.append(encode_block(self._keys, self._values))
        self._keys.clear()
        self._values.clear()
        return pos + len(blocks[-1])

    def close(self) -> None:
        """Write the last block, the index, the field map and the footer, and close the file."""
        dbfile = self.dbfile
        if self._keys:
            blocks: list[bytes] = []
            self._end_block(blocks, dbfile.tell())
            dbfile.write(blocks[0])
        index_pos = dbfile.tell()
        ends = list(accumulate(map(len, self._firsts), initial=0))
        starts = array("Q", [*self._block_offsets, index_pos])
        if _BIG:
            starts.byteswap()
        fieldmap = json.dumps(self.extras.get("fieldmap", {}), sort_keys=True).encode()
        dbfile.write(b"".join((*self._firsts, _packed(ends, 4), starts.tobytes(), fieldmap,
                               FOOTER.pack(index_pos, len(self._firsts), ends[-1], len(fieldmap), MAGIC))))
        dbfile.close()


def _reader(dbfile: Any) -> Callable[[int, int], bytes]:
    """`read(position, size)` of a Whoosh file: one `os.pread` call for a file on disk (`StructFile.get`
    makes three calls, a seek and a buffered read), else its `get`."""
    try:
        fd = dbfile.file.fileno()
    except (AttributeError, OSError):
        return dbfile.get
    if not hasattr(os, "pread"):  # Windows
        return dbfile.get
    return lambda pos, size: os.pread(fd, size, pos)


def _closed(pos: int, size: int) -> bytes:
    raise ValueError("term table closed")


class TermTableReader:
    """Reads a term table: values by key (`get`), and entries in key order from any key (`items_from`)."""

    def __init__(self, dbfile: Any, length: int) -> None:
        self.dbfile = dbfile
        if length < len(MAGIC) + FOOTER.size:
            raise ValueError(f"not a term table: {length} bytes")
        self._index_pos, self._count, self._keys_len, map_len, magic = FOOTER.unpack(
            dbfile.get(length - FOOTER.size, FOOTER.size))
        if magic != MAGIC or dbfile.get(0, len(MAGIC)) != MAGIC:
            raise ValueError("not a term table (no magic)")
        if self._index_pos + self._keys_len + 12 * (self._count + 1) + map_len + FOOTER.size != length:
            raise ValueError("damaged term table (footer)")  # bounds every read below by the file's size
        self.extras = {"fieldmap": json.loads(dbfile.get(length - FOOTER.size - map_len, map_len))}
        self._read = _reader(dbfile)
        self._firsts = b""  # the index, read when first needed (`_load`)
        self._top: list[bytes] | None = None
        self._key_ends: Any = array("I")
        self._block_offsets: Any = array("Q")
        self._last: tuple[int, _Block] | None = None  # the block read last: a term's second lookup reads none

    def _load(self) -> list[bytes]:
        """Read the index: the blocks' first keys joined, their ends and the blocks' offsets; list every
        `TOP`th first key."""
        count, keys_len = self._count, self._keys_len
        raw = self._read(self._index_pos, keys_len + 12 * (count + 1))
        self._firsts = raw[:keys_len]
        self._key_ends = _unpacked(raw[keys_len:keys_len + 4 * (count + 1)], 4)
        self._block_offsets = array("Q", raw[keys_len + 4 * (count + 1):])
        if _BIG:
            self._block_offsets.byteswap()
        offsets = self._block_offsets
        if offsets[0] != len(MAGIC) or offsets[-1] != self._index_pos:  # each block's own: `_load_block`
            raise ValueError("damaged term table (block offsets)")
        self._top = [self._first(i) for i in range(0, count, TOP)]
        return self._top

    def _first(self, i: int) -> bytes:
        return self._firsts[self._key_ends[i]:self._key_ends[i + 1]]

    def _block_of(self, key: bytes) -> int:
        """The last block whose first key is `key` or before it (-1 when `key` is before them all)."""
        top = self._top if self._top is not None else self._load()
        lo = (bisect_right(top, key) - 1) * TOP
        if lo < 0:
            return -1
        hi = min(lo + TOP, self._count)
        firsts, ends = self._firsts, self._key_ends
        while lo < hi:  # bisect_right between the listed keys, lo's first key not after `key`
            mid = (lo + hi) // 2
            if key < firsts[ends[mid]:ends[mid + 1]]:
                hi = mid
            else:
                lo = mid + 1
        return lo - 1

    def _load_block(self, i: int) -> _Block:
        """Block `i`, its offsets checked as it is read (all of them at `_load`: ~0.5 ms a table, on every
        one-shot search), so a damaged one never sizes a read past the blocks. The last block read is kept:
        a term looked up twice (an update's deletes ask whether a source is there, then for its postings),
        or keys looked up in order, read and split a block once."""
        last = self._last
        if last is not None and last[0] == i:
            return last[1]
        start, end = self._block_offsets[i], self._block_offsets[i + 1]
        if not start <= end <= self._index_pos:
            raise ValueError("damaged term table (block offsets)")
        block = _Block(self._first(i), self._read(start, end - start))
        self._last = (i, block)
        return block

    def get(self, key: bytes) -> bytes | None:
        """The value of `key`, or `None`."""
        i = self._block_of(key)
        return None if i < 0 else self._load_block(i).find(key)

    def __contains__(self, key: bytes) -> bool:
        return self.get(key) is not None

    def __getitem__(self, key: bytes) -> bytes:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def items(self) -> Iterator[tuple[bytes, bytes]]:
        """Every entry in key order."""
        return self.items_from(b"")

    def items_from(self, key: bytes) -> Iterator[tuple[bytes, bytes]]:
        """The entries from `key` (or the first after it) on, in key order."""
        first = max(self._block_of(key), 0)
        for i in range(first, self._count):
            entries = self._load_block(i).items()
            if i == first:
                entries = (item for item in entries if item[0] >= key)
            yield from entries

    def keys(self) -> Iterator[bytes]:
        return (key for key, _value in self.items())

    def keys_from(self, key: bytes) -> Iterator[bytes]:
        return (k for k, _value in self.items_from(key))

    def close(self) -> None:
        self._read = _closed  # the fd may be reused: never pread it again
        self.dbfile.close()
