"""Short posting lists stored in the term table compactly: the whole entry as a kind byte, two length codes
and a run of variable-length integers.

Whoosh stores a short posting list (fewer than the codec's inline limit) in the term table as a 25-byte
statistics header (`W3TermInfo`) and a pickle of `(ids, weights, values)`: about 70 bytes for a word seen
once, for the nine tenths of all terms that are that rare. Every statistic of the header but the two length
codes follows from the postings when each weight is a whole frequency (as every field of searchkit's schemas
writes them), and each posting's value follows from its frequency or its positions. So an entry is written
as (`encode`):

- one byte `COMPACT + kind`: `NO_VALUES` (an id field: no values), `FREQUENCIES` (each value is
  `pack_uint(frequency)`), `POSITIONS` (each value is `Positions.encode` of the posting's positions, whose
  count is the frequency). `W3TermInfo` writes 0 (postings in blocks) or 1 (inlined, pickled) there;
- the minimum and maximum length codes, a byte each;
- LEB128 integers (seven bits a byte, low first, the high bit set on all but the last byte): the number of
  postings, the document ids (the first, then each gap), the frequencies, then for `POSITIONS` each
  posting's positions (the first, then each gap).

A posting list this cannot spell (a weight that is not a whole number, a value that is not what its kind
writes) is written in Whoosh's layout, which readers still read (`terminfo.BlockTermInfo`): `from_values`
says `None`.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from itertools import accumulate
from typing import TYPE_CHECKING

from whoosh.system import pack_uint

from searchkit.engine import unpickle

if TYPE_CHECKING:
    import numpy as np

COMPACT = 2  # the first byte of a compact entry is COMPACT + its kind; W3TermInfo writes 0 or 1 there
NO_VALUES, FREQUENCIES, POSITIONS = 0, 1, 2
_HEAD = 3  # kind byte, minimum and maximum length codes
_FLOAT_EXACT = 1 << 24  # whole numbers below this are exact in the header's 32-bit float (the total weight)
VALUE_HEAD = b"\x80\x02"  # pickle protocol 2's header, which a `Positions.encode` value has after its count
_SINGLE: dict[int, bytes] = {}


def is_compact(entry: bytes) -> bool:
    """Whether a term table value is a compact inline entry (rather than Whoosh's layout)."""
    return entry[0] >= COMPACT


def encode(kind: int, ids: Sequence[int], freqs: Sequence[int], positions: Sequence[Sequence[int]] | None,
           mincode: int, maxcode: int) -> bytes | None:
    """The compact entry of a posting list: ascending document `ids`, whole frequencies, and for `POSITIONS`
    each posting's ascending positions (as many as its frequency); `None` if they are not all that (or the
    total frequency is past what the header's float held exactly)."""
    if not ids or sum(freqs) >= _FLOAT_EXACT or min(freqs) < 1:
        return None
    out = bytearray((COMPACT + kind, mincode, maxcode))
    put_number(out, len(ids))
    prev = -1
    for doc in ids:
        if doc <= prev:
            return None
        put_number(out, doc - max(prev, 0))
        prev = doc
    for freq in freqs:
        put_number(out, freq)
    if positions is not None:
        for posting in positions:
            prev = 0
            for pos in posting:
                if pos < prev:
                    return None
                put_number(out, pos - prev)
                prev = pos
    return bytes(out)


def encode_many(kind: int, counts: np.ndarray, ids: np.ndarray, freqs: np.ndarray, positions: np.ndarray | None,
                mincodes: np.ndarray, maxcodes: np.ndarray) -> list[bytes | None]:
    """`encode` of many posting lists at once, with array operations rather than Python calls per number
    (the same bytes, tested): list k has `counts[k]` (at least one) postings; `ids` and `freqs` are the
    lists' postings one after another, `positions` (for `POSITIONS`) each posting's positions, as many as
    its frequency, one after another; `mincodes`/`maxcodes` each list's length codes."""
    import numpy as np  # here: searches read entries, and never import numpy (index time only)

    counts = np.asarray(counts, np.int64)
    ids, freqs = np.asarray(ids, np.int64), np.asarray(freqs, np.int64)
    if len(counts) and counts.min() < 1:
        raise ValueError("every posting list has a posting")
    lists = np.arange(len(counts))
    list_of = np.repeat(lists, counts)  # each posting's list
    first = np.cumsum(counts) - counts  # each list's first posting
    gaps = np.diff(ids, prepend=0)
    gaps[first] = ids[first] + 1  # a list's first id is written whole, and must not be negative
    bad = np.bincount(list_of[gaps <= 0], minlength=len(counts)) > 0
    gaps[first] -= 1
    if len(counts):
        bad |= np.add.reduceat(freqs, first) >= _FLOAT_EXACT
        bad |= np.minimum.reduceat(freqs, first) < 1
    spelled = np.zeros(len(counts), np.int64)  # positions per list
    if positions is not None:
        positions = np.asarray(positions, np.int64)
        if len(positions) != np.maximum(freqs, 0).sum():
            raise ValueError("as many positions as the frequencies say")
        per_posting = np.maximum(freqs, 0)
        posting_of = np.repeat(np.arange(len(ids)), per_posting)
        starts = np.cumsum(per_posting) - per_posting
        position_gaps = np.diff(positions, prepend=0)
        position_gaps[starts[per_posting > 0]] = positions[starts[per_posting > 0]]  # from 0 in each posting
        bad |= np.bincount(list_of[posting_of[position_gaps < 0]], minlength=len(counts)) > 0
        spelled = np.bincount(list_of, weights=per_posting, minlength=len(counts)).astype(np.int64)
    # each list's numbers: its count, its id gaps, its frequencies, then its position gaps
    size = 1 + 2 * counts + spelled
    base = np.cumsum(size) - size
    numbers = np.empty(int(size.sum()), np.int64)
    numbers[base] = counts
    within = np.arange(len(ids)) - first[list_of]
    numbers[base[list_of] + 1 + within] = gaps
    numbers[base[list_of] + 1 + counts[list_of] + within] = freqs
    if positions is not None:
        list_of_position = list_of[posting_of]
        within = np.arange(len(positions)) - (np.cumsum(spelled) - spelled)[list_of_position]
        numbers[base[list_of_position] + 1 + 2 * counts[list_of_position] + within] = position_gaps
    numbers = np.maximum(numbers, 0)  # (a negative number's list is `bad`: not written)
    widths = np.ones(len(numbers), np.int64)  # LEB128 bytes of each number
    rest = numbers >> 7
    while rest.any():
        widths += rest > 0
        rest >>= 7
    value = np.repeat(numbers, widths)
    byte = np.arange(len(value)) - np.repeat(np.cumsum(widths) - widths, widths)  # its byte within its number
    leb = (value >> (7 * byte)) & 0x7F | (byte < np.repeat(widths - 1, widths)) << 7
    list_of_byte = np.repeat(np.repeat(lists, size), widths)
    lengths = _HEAD + np.bincount(list_of_byte, minlength=len(counts))
    starts = np.cumsum(lengths) - lengths
    out = np.empty(int(lengths.sum()), np.uint8)
    out[starts] = COMPACT + kind
    out[starts + 1] = mincodes
    out[starts + 2] = maxcodes
    out[np.arange(len(leb)) + _HEAD * (1 + list_of_byte)] = leb
    blob = out.tobytes()
    return [None if no else blob[a:b]
            for a, b, no in zip(starts.tolist(), (starts + lengths).tolist(), bad.tolist(), strict=True)]


def single(docnum: int, weight: float, value: bytes, mincode: int, maxcode: int) -> bytes | None:
    """`from_values` of one posting without a value or with its frequency's (a keyword or id term seen once:
    most terms of those fields), spelled out; `None` for any other, which `from_values` then takes."""
    if type(weight) is not float or not weight.is_integer() or not 1 <= weight < _FLOAT_EXACT or docnum < 0:
        return None
    freq = int(weight)
    if not value:
        out = bytearray((COMPACT + NO_VALUES, mincode, maxcode, 1))
    elif value == pack_uint(freq):
        out = bytearray((COMPACT + FREQUENCIES, mincode, maxcode, 1))
    else:
        return None
    put_number(out, docnum)
    put_number(out, freq)
    return bytes(out)


def put_number(out: bytearray, n: int) -> None:
    """Append `n` to `out` as LEB128 (seven bits a byte, low first)."""
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)


def from_values(ids: Sequence[int], weights: Sequence[float], values: Sequence[bytes], mincode: int,
                maxcode: int) -> bytes | None:
    """The compact entry of postings as Whoosh's writer holds them (values empty or one per posting), or
    `None` when they are not what a compact entry spells."""
    if not all(map(float.is_integer, map(float, weights))):
        return None
    freqs = [int(w) for w in weights]
    if not freqs or min(freqs) < 1 or sum(freqs) >= _FLOAT_EXACT:
        return None
    if not values:
        return encode(NO_VALUES, ids, freqs, None, mincode, maxcode)
    if len(values) != len(ids):
        return None
    if all(map(bytes.__eq__, values, map(pack_uint, freqs))):
        return encode(FREQUENCIES, ids, freqs, None, mincode, maxcode)
    positions = [_positions(value) for value in values]
    if all(p is not None and len(p) == f for p, f in zip(positions, freqs, strict=True)):
        return encode(POSITIONS, ids, freqs, positions, mincode, maxcode)
    return None


def _positions(value: bytes) -> list[int] | None:
    """The positions of a `Positions.encode` value, or `None` if it is not one (or not written as
    `position_value` writes it, so would not read back the same)."""
    if value[4:6] != VALUE_HEAD:
        return None
    try:
        gaps = unpickle.loads(value[4:])
    except Exception:
        return None
    if type(gaps) is not list or not gaps or not all(type(g) is int and g >= 0 for g in gaps):
        return None
    positions = list(accumulate(gaps))
    return positions if position_value(positions) == value else None


def position_value(positions: list[int]) -> bytes:
    """`whoosh.formats.Positions.encode`, byte for byte; a single position's value is kept and reused."""
    if len(positions) == 1:
        value = _SINGLE.get(positions[0])
        if value is None:
            value = _SINGLE[positions[0]] = _encode_positions(positions)
        return value
    return _encode_positions(positions)


def _encode_positions(positions: list[int]) -> bytes:
    return pack_uint(len(positions)) + pickle.dumps([positions[0], *map(int.__sub__, positions[1:], positions)], 2)


class Entry:
    """A decoded compact entry: its kind, length codes, ids and frequencies; `values` rebuilds the
    per-posting values Whoosh's matchers read."""

    __slots__ = ("_rest", "codes", "freqs", "ids", "kind")

    def __init__(self, entry: bytes) -> None:
        numbers = _numbers(entry, _HEAD)
        n = numbers[0]
        self.kind = entry[0] - COMPACT
        self.codes = entry[1], entry[2]
        self.ids = tuple(accumulate(numbers[1:n + 1]))
        self.freqs = numbers[n + 1:2 * n + 1]
        self._rest = numbers[2 * n + 1:]
        spelled = sum(self.freqs) if self.kind == POSITIONS else 0
        if len(self.freqs) != n or len(self._rest) != spelled or not 0 <= self.kind <= POSITIONS:
            raise ValueError("damaged inline term entry")

    @property
    def weight(self) -> float:
        """The term's total weight in these postings (what `W3TermInfo`'s header holds): its frequencies' sum."""
        return float(sum(self.freqs))

    def postings(self) -> tuple[tuple[int, ...], tuple[float, ...], tuple[bytes, ...]]:
        """The `(ids, weights, values)` Whoosh's `W3TermInfo` holds for inlined postings."""
        return self.ids, tuple(map(float, self.freqs)), self.values()

    def values(self) -> tuple[bytes, ...]:
        if self.kind == NO_VALUES:
            return ()
        if self.kind == FREQUENCIES:
            return tuple(map(pack_uint, self.freqs))
        out = []
        rest = self._rest
        at = 0
        for freq in self.freqs:
            out.append(position_value(list(accumulate(rest[at:at + freq]))))
            at += freq
        return tuple(out)


def count(entry: bytes) -> int:
    """The number of postings of a compact entry."""
    return _numbers(entry[:_HEAD + 1], _HEAD)[0] if entry[_HEAD] < 0x80 else _numbers(entry, _HEAD)[0]


def _numbers(data: bytes, start: int) -> list[int]:
    """The LEB128 integers of `data[start:]`."""
    body = data[start:]
    if body.isascii():  # every integer below 128: each byte is one
        return list(body)
    out = []
    n = shift = 0
    for b in body:
        if b < 0x80:
            out.append(n | b << shift)
            n = shift = 0
        else:
            n |= (b & 0x7F) << shift
            shift += 7
    return out

