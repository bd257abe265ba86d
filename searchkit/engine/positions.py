"""A posting block's document numbers and positions as byte planes: small numbers, with no document part in
a position and no pickle.

Since layout 7 of a block (`contract` rule 3), a block of a positional or frequency field stores `(first,
weights, None, None, bounds, planes, gaps)`: `gaps` the differences between its consecutive document numbers
after `first`, and for a positional field `planes`, the positions of its postings one after another (each
posting's ascending, as many as its weight), for a frequency field `bounds`, its score bounds (`codec`; its
values are its weights, packed, and are not stored). `gaps` and `planes` are each a run of little-endian
numbers of `k` bytes (the fewest that hold the run's largest), stored plane by plane: every number's low
byte, then every number's second byte, and so on. Layout 4 stored delta-coded keys
`doc << KEY_SHIFT | position`; a key's document part made every posting's first gap a number of five or more
bytes, and a pickled list (as the ids are in other layouts) spends an opcode per number. Planes of small
numbers compress well (the upper planes are mostly zeros), and they decode without a Python loop per number:
a plane is bytes, two are interleaved into an `array` by slice assignment, and the keys are the documents'
key bases repeated by their counts plus the positions, in C iterators (no numpy: searches never import it).
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Sequence
from itertools import accumulate, chain, repeat
from operator import add, lshift
from typing import Any

LAYOUT = 7  # the block data tuple's length for this layout
SHIFT = 32  # `codec.KEY_SHIFT`: position key = document number << SHIFT | position
_ITEM = {1: "B", 2: "H", 3: "I", 4: "I"}  # array type codes holding k-byte numbers (four bytes: "I" is 32 bits)
assert array("I").itemsize == 4 and array("H").itemsize == 2


def block_data(ids: Sequence[int], weights: Any, planes: bytes | None, gaps: bytes | None = None,
               bounds: Any = None) -> tuple[Any, ...]:
    """A block's data tuple in this layout, from its delta-coded ids and minified weights (as Whoosh's writer
    minifies them), a positional block's position planes or a frequency block's score bounds (`codec`): the
    first id, then the planes of the other gaps (`gaps` when the writer made them already)."""
    return ids[0], weights, None, None, bounds, planes, encode(ids[1:]) if gaps is None else gaps


def ids(data: tuple[Any, ...], n: int) -> list[int]:
    """The document numbers of a block of `n` postings in this layout."""
    return list(accumulate(numbers(data[6], n - 1), initial=data[0]))


def counts(weights: Any, n: int) -> Iterable[int]:
    """Each posting's number of positions from a block's minified weights (`None`: all 1, a float: all
    that, bytes or floats: each its own), for `n` postings; a block in this layout has weights that say it."""
    if weights is None:
        return repeat(1, n)
    if isinstance(weights, float):
        return repeat(int(weights), n)
    if isinstance(weights, bytes):
        return weights
    return map(int, weights)


def width(top: int) -> int:
    """The bytes a run of numbers up to `top` takes a number (at least one): its number of planes."""
    return max(1, -(-int(top).bit_length() // 8))


def encode(positions: Sequence[int]) -> bytes:
    """The planes of numbers below 2**32, positions or gaps (`blocks` writes the same bytes with numpy)."""
    k = width(max(positions, default=0))
    return b"".join(bytes([p >> (8 * i) & 0xFF for p in positions]) for i in range(k))


def numbers(planes: bytes, n: int) -> Sequence[int]:
    """The `n` numbers spelled by `planes`."""
    if not n:
        return ()
    k = len(planes) // n
    if k not in _ITEM or k * n != len(planes):
        raise ValueError("damaged position planes")
    if k == 1:
        return planes
    out = array(_ITEM[k], bytes(n * array(_ITEM[k]).itemsize))
    raw = memoryview(out).cast("B")
    width = out.itemsize
    for i in range(k):
        at = i if sys.byteorder == "little" else width - 1 - i
        raw[at::width] = planes[i * n:(i + 1) * n]
    return out


def keys(ids: Sequence[int], weights: Any, planes: bytes) -> list[int]:
    """The position keys (`doc << SHIFT | position`) of a block's postings, ascending: `ids` the block's
    document numbers (absolute), `weights` its minified weights."""
    if weights is None:  # one position per posting: no repeats
        return list(map(add, map(lshift, ids, repeat(SHIFT)), numbers(planes, len(ids))))
    per = list(counts(weights, len(ids)))
    bases = chain.from_iterable(map(repeat, map(lshift, ids, repeat(SHIFT)), per))
    return list(map(add, bases, numbers(planes, sum(per))))
