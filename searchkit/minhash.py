"""MinHash signatures of article bodies, for finding wire copies (the same story sent again).

A body's words (lower-cased, split at white space: a signature needs a stable word sequence, not the
index's analysis) are cut into overlapping `SHINGLE`-word shingles, each hashed to 64 bits (a polynomial
over the words' CRC-32s, then MurmurHash3's finaliser, in unsigned 64-bit numpy arithmetic). One
permutation hashing (Li, Owen & Zhang, 2012): the hash's top bits pick one of `BINS` bins and the
signature keeps, per bin, the smallest hash that fell in it (32 of its bits); since the distinct hashes
are sorted anyway, that is one `searchsorted`, not a min over `BINS` hash functions. Two signatures agree in
a bin with probability equal to the Jaccard similarity of the shingle sets, so the share of agreeing bins
(among bins not empty in both) estimates it, with standard error ≤ 1/16 at 64 bins.

Written here rather than taken from `datasketch`: that library imports SciPy (~110 MB installed, ~0.5 s to
import) and hashes each shingle with SHA-1 in Python; this takes ~0.15 ms per 500-word article.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from functools import cache
from itertools import chain
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import numpy as np

# numpy is imported where it is used (the constants below become numpy uint64 scalars there, `_words`): a run
# with nothing to index (an unchanged tree, ~0.1 s of its ~1 s) never loads it
SHINGLE = 4  # words per shingle
BINS = 64
SIGNATURE_BYTES = 4 * BINS
MIN_SHINGLES = 8
"""Bodies with fewer distinct shingles get no signature: too little text to call two articles copies."""
EMPTY = 0xFFFFFFFF
"""The value of a bin no shingle fell in (a uint32)."""

_MULT = 0x9E3779B97F4A7C15
_C1, _C2 = 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53
_BIN_BITS = 6
assert BINS == 1 << _BIN_BITS
_BIN_SHIFT = 64 - _BIN_BITS  # top bits: the bin
_VALUE_SHIFT = 64 - _BIN_BITS - 32  # the 32 bits below the bin
_BATCH = 1 << (16 - _BIN_BITS)  # texts `signatures` takes at once: a text's number and its bin fit in 16 bits
_BATCH_CHARS = 1 << 18
"""Characters `signatures` takes at once: its arrays take ~14 bytes a character (~4 MB here; an 8 MB JSON
archive's articles signed together took 110 MB), and past ~100 articles a batch is no cheaper per text."""


@cache
def _bin_starts() -> np.ndarray:
    import numpy as np

    return np.arange(BINS, dtype=np.uint64) << np.uint64(_BIN_SHIFT)


class _Words(NamedTuple):
    """The constants as numpy's 64-bit words (a plain int is converted to one at every use)."""

    mult: np.uint64
    c1: np.uint64
    c2: np.uint64
    shift: np.uint64  # fmix's
    value_shift: np.uint64
    bin_shift: np.uint64


@cache
def _words() -> _Words:
    """`_Words`, made once."""
    import numpy as np

    return _Words(*(np.uint64(c) for c in (_MULT, _C1, _C2, 33, _VALUE_SHIFT, _BIN_SHIFT)))


def fmix(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser: every input bit moves every output bit. `h` is left as it was; the
    steps after the first work in place on the one new array (on an article's ~500 hashes, a temporary array
    per step cost more than the arithmetic)."""
    words = _words()
    c1, c2, shift = words.c1, words.c2, words.shift
    h = h ^ (h >> shift)
    h *= c1
    h ^= h >> shift
    h *= c2
    h ^= h >> shift
    return h


_ASCII_ONLY_SPACES = ("\x1c", "\x1d", "\x1e", "\x1f")  # white space to `str.split`, not to `bytes.split`


def utf8_words(text: str) -> list[bytes]:
    """The UTF-8 bytes of each lower-cased word of `text` (split at white space, as `str.split` does), made
    without a Python call per word. A text all in ASCII is encoded and split as bytes (the same words where it
    holds none of the four separators only `str.split` knows: 20 us an article instead of 47); any other is
    split, joined by a space (which no word holds), encoded once and split again at the spaces."""
    if text.isascii() and not any(space in text for space in _ASCII_ONLY_SPACES):
        return text.encode("ascii").lower().split()
    words = text.lower().split()
    return " ".join(words).encode("utf-8").split(b" ") if words else []


def _shingled(h: np.ndarray, n: int) -> np.ndarray:
    """The hash of each of the `n` runs of `SHINGLE` word hashes in `h`: a polynomial over them (wrapping modulo
    2**64, as intended; in place), then `fmix`."""
    out = h[:n].copy()
    mult = _words().mult
    for j in range(1, SHINGLE):
        out *= mult
        out += h[j:j + n]
    return fmix(out)


def shingle_hashes(text: str) -> np.ndarray:
    """The distinct 64-bit hashes of the `SHINGLE`-word shingles of `text` (uint64, sorted)."""
    import numpy as np

    words = utf8_words(text)
    if len(words) < SHINGLE:
        return np.zeros(0, dtype=np.uint64)
    h = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
    n = len(words) - SHINGLE + 1
    out = _shingled(h, n)
    out.sort()
    distinct = np.empty(n, bool)  # `np.unique` without its overhead (~40 us a call, most of the sort's cost)
    distinct[0] = True
    np.not_equal(out[1:], out[:-1], out=distinct[1:])
    return out[distinct]


def signature(text: str) -> bytes | None:
    """The signature (`SIGNATURE_BYTES` bytes: one uint32 per bin) of a text, or None when too short."""
    import numpy as np

    hashes = shingle_hashes(text)
    if hashes.size < MIN_SHINGLES:
        return None
    first = np.searchsorted(hashes, _bin_starts())  # sorted: the first hash of each bin is its smallest
    filled = np.empty(BINS, bool)  # a bin is filled when the next one starts later
    np.less(first[:-1], first[1:], out=filled[:-1])
    filled[-1] = first[-1] < hashes.size
    values = (hashes[np.minimum(first, hashes.size - 1)] >> _words().value_shift).astype(np.uint32)  # its low 32 bits
    values[~filled] = EMPTY
    return values.astype("<u4").tobytes()


def signatures(texts: Sequence[str]) -> list[bytes | None]:
    """`signature` of each of `texts`, computed together: the same bytes, with numpy's per-call cost paid once
    per batch rather than once per text (~25 calls an article).

    The texts' word hashes are one array; a shingle is kept where its last word is in its first word's text.
    Its bin and its text's number make a 16-bit group, and a stable sort of those (a radix sort) lines each
    group's values up for one `minimum.reduceat`: no sort of the hashes themselves. A text with
    `MIN_SHINGLES` bins filled has at least as many distinct hashes, so a signature; one with fewer (a
    short text) is left to `signature`, which counts its distinct hashes."""
    import numpy as np

    if len(texts) == 1:  # alone, fewer numpy calls
        return [signature(texts[0])]
    if len(texts) > _BATCH or sum(map(len, texts)) > _BATCH_CHARS:
        return [s for part in _parts(texts) for s in signatures(part)]
    words = [utf8_words(text) for text in texts]
    counts = np.fromiter(map(len, words), np.int64, len(words))
    total = int(counts.sum())
    if total < SHINGLE:
        return [signature(text) for text in texts]
    h = np.fromiter(map(zlib.crc32, chain.from_iterable(words)), dtype=np.uint64, count=total)
    n = total - SHINGLE + 1
    out = _shingled(h, n)
    constants = _words()
    text = np.repeat(np.arange(len(texts), dtype=np.uint16), counts)
    kept = text[:n] == text[SHINGLE - 1:]
    out = out[kept]
    if not out.size:  # no text of four words or more
        return [None] * len(texts)
    group = (out >> constants.bin_shift).astype(np.uint16)
    group |= text[:n][kept] << _BIN_BITS  # text << _BIN_BITS | bin
    order = np.argsort(group, kind="stable")
    group = group[order]
    starts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
    values = (out >> constants.value_shift).astype(np.uint32)[order]  # the 32 bits below the bin
    table = np.full(len(texts) * BINS, EMPTY, dtype="<u4")
    filled = group[starts]
    table[filled] = np.minimum.reduceat(values, starts)
    enough = np.bincount(filled >> _BIN_BITS, minlength=len(texts)) >= MIN_SHINGLES
    rows = table.reshape(len(texts), BINS)
    return [rows[i].tobytes() if ok else signature(texts[i]) for i, ok in enumerate(enough.tolist())]


def _parts(texts: Sequence[str]) -> list[Sequence[str]]:
    """`texts` in runs of at most `_BATCH` texts and `_BATCH_CHARS` characters (a longer text alone)."""
    parts: list[Sequence[str]] = []
    start, chars = 0, 0
    for i, text in enumerate(texts):
        if i > start and (i - start == _BATCH or chars + len(text) > _BATCH_CHARS):
            parts.append(texts[start:i])
            start, chars = i, 0
        chars += len(text)
    parts.append(texts[start:])
    return parts


def agreement(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of rows of signatures (`(n, BINS)` uint32 arrays, or single rows): the
    share of bins that agree, among those not empty in both."""
    import numpy as np

    both_empty = (a == EMPTY) & (b == EMPTY)
    same = ((a == b) & ~both_empty).sum(axis=-1)
    return same / np.maximum(1, BINS - both_empty.sum(axis=-1))


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures."""
    import numpy as np

    return float(agreement(np.frombuffer(a, dtype="<u4"), np.frombuffer(b, dtype="<u4")))
