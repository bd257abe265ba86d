"""MinHash signatures of article bodies, for finding wire copies (the same story sent again).

A body's words (folded, as the index sees them) are cut into overlapping `SHINGLE`-word shingles; each
shingle is hashed once (a polynomial over the words' CRC-32s, in unsigned 64-bit arithmetic) and mapped
through `PERMUTATIONS` multiply-shift hash functions; the signature keeps each function's minimum. Two
signatures agree at a position with probability equal to the Jaccard similarity of the shingle sets, so the
share of equal positions estimates it (standard error ≤ 0.0625 at 64 positions).

Written here rather than taken from `datasketch`: that library imports SciPy (~110 MB installed, ~0.5 s to
import) and hashes each shingle with SHA-1 in Python, ~2× slower than these vectorised numpy lines
(measured on 2,000 Reuters articles: 0.25 vs 0.45 ms per article, tokenizing aside).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

from searchkit import analysis

SHINGLE = 4  # words per shingle
PERMUTATIONS = 64
SIGNATURE_BYTES = 4 * PERMUTATIONS
MIN_SHINGLES = 8
"""Bodies with fewer distinct shingles get no signature: too little text to call two articles copies."""

_RNG = np.random.default_rng(0x5EA4C417)  # fixed: signatures must be the same in every process and release
_A = _RNG.integers(1, 2**63, PERMUTATIONS, dtype=np.uint64) | np.uint64(1)  # odd multipliers
_B = _RNG.integers(0, 2**63, PERMUTATIONS, dtype=np.uint64)
_MULT = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(32)


def shingle_hashes(words: Sequence[str]) -> np.ndarray:
    """The distinct 64-bit hashes of the `SHINGLE`-word shingles of `words` (uint64, sorted)."""
    if len(words) < SHINGLE:
        return np.zeros(0, dtype=np.uint64)
    h = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in words), dtype=np.uint64, count=len(words))
    n = len(words) - SHINGLE + 1
    out = np.zeros(n, dtype=np.uint64)
    for j in range(SHINGLE):  # wraps modulo 2**64, as intended
        out = out * _MULT + h[j:j + n]
    return np.unique(out)


def signature_of_words(words: Sequence[str]) -> bytes | None:
    """The MinHash signature (`SIGNATURE_BYTES` bytes) of a word sequence, or None when it is too short."""
    shingles = shingle_hashes(words)
    if shingles.size < MIN_SHINGLES:
        return None
    mins = ((shingles[:, None] * _A[None, :] + _B[None, :]) >> _SHIFT).min(axis=0)
    return mins.astype("<u4").tobytes()


def signature(text: str) -> bytes | None:
    """The MinHash signature of a text's folded words (None when too short to judge)."""
    return signature_of_words(analysis.exact_terms(text))


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures."""
    return float(np.mean(np.frombuffer(a, dtype="<u4") == np.frombuffer(b, dtype="<u4")))


def words_of_positions(positions: dict[str, list[int]]) -> list[str]:
    """The word sequence behind `analysis.word_positions` (a compound's parts win over its joined form)."""
    words = [""] * (1 + max((p[-1] for p in positions.values()), default=-1))
    for word, places in positions.items():
        for place in places:
            words[place] = word
    return words
