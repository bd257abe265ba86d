"""Sorted posting rows (`columns.Sorted`) written straight into the codec's term table and posting blocks.

What `BlockPostingsWriter` and `flush._inline_terminfo` write for a text field, byte for byte (tested):
rare terms' postings inline in the term table, the rest in blocks of up to `blocklimit` postings with their
statistics. Statistics, block boundaries, delta-coded ids, position keys and score bounds are computed for
a whole part of a field at once with array operations; Python runs once per term (its table entry) and
once per block (two pickles and a compression), never once per posting of a block term.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Iterator, Sequence
from itertools import pairwise
from typing import Any, NamedTuple

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort

from searchkit.engine import codec, inline, positions
from searchkit.engine.codec import KEY_SHIFT
from searchkit.engine.columns import Sorted
from searchkit.engine.lengths import BYTE_LENGTHS
from searchkit.engine.terminfo import BLOCK_PROTOCOL, inline_entry

assert KEY_SHIFT <= 32  # an ordered block's positions are below 1 << KEY_SHIFT: four bytes hold them (_keys_by_block)
_LENGTH_CACHE = np.array(BYTE_LENGTHS, np.int64)  # ascending
TERM_INFO = np.dtype([("inlined", "u1"), ("weight", ">f4"), ("df", ">u4"), ("minlength", "u1"),
                      ("maxlength", "u1"), ("maxweight", ">f4"), ("first", ">u4"), ("last", ">u4")])
"""`W3TermInfo._struct` ("!BfIBBfII") as a record: every term's statistics header of a part, packed at once."""


def length_codes(lengths: np.ndarray) -> np.ndarray:
    """Whoosh's one-byte code of each field length (`length_to_byte`; 0 for no length)."""
    return np.minimum(np.searchsorted(_LENGTH_CACHE, lengths, side="left"), 255).astype(np.uint8)


class Layout(NamedTuple):
    """How one field's terms are written."""

    prefix: bytes  # the field's id, in front of each term in the term table
    positional: bool  # positions as keys (exact fields) rather than frequencies as values
    inline: int  # posting lists shorter than this are inlined in the term table
    block: int  # postings per block
    compression: int  # zlib level of the block data


def start_field(fieldwriter: Any, fieldname: str, fieldobj: Any) -> Layout:
    """Start a text field in Whoosh's field writer; how its terms are written."""
    if type(fieldobj.format) not in (Frequency, Positions):
        raise TypeError(f"no columnar layout for {fieldname}'s format {fieldobj.format!r}")
    fieldwriter.start_field(fieldname, fieldobj)
    pw = fieldwriter._postwriter
    return Layout(pack_ushort(fieldwriter._fieldid), type(fieldobj.format) is Positions,
                  min(pw._inlinelimit, pw._blocklimit + 1), pw._blocklimit, pw._compression)


ENCODE_ROWS = 100_000  # rows encoded at once: bounds the Python lists made for a part's rare terms


def write_part(postfile: Any, entries: list[tuple[bytes, bytes]], layout: Layout, part: Sorted,
               terms: Sequence[bytes], codes: np.ndarray) -> None:
    """Write a sorted part of a field: its block terms to `postfile`, every term's table entry (key,
    value) appended to `entries` in key order. `codes` holds each document's length code in the field.
    Encoded `ENCODE_ROWS` rows at a time (cut between terms)."""
    starts = np.flatnonzero(part.term[1:] != part.term[:-1]) + 1
    cuts = np.unique(starts[np.searchsorted(starts, np.arange(ENCODE_ROWS, len(part.term), ENCODE_ROWS))
                            .clip(max=len(starts) - 1)]) if len(starts) else starts
    for lo, hi in pairwise([0, *cuts.tolist(), len(part.term)]):
        _write_rows(postfile, entries, layout, Sorted(part.term[lo:hi], part.doc[lo:hi], part.value[lo:hi]), terms,
                    codes)


def _write_rows(postfile: Any, entries: list[tuple[bytes, bytes]], layout: Layout, part: Sorted,
                terms: Sequence[bytes], codes: np.ndarray) -> None:
    """`write_part` for rows that begin and end with whole terms."""
    term, doc, value = part
    if layout.positional:
        first = np.ones(len(term), bool)
        first[1:] = (term[1:] != term[:-1]) | (doc[1:] != doc[:-1])
        start = np.flatnonzero(first)  # each posting's first row
        freq = np.diff(np.append(start, len(term)))
    else:
        start, freq = np.arange(len(term)), value.astype(np.int64)
    pdoc, pterm = doc[start].astype(np.int64), term[start]
    newterm = np.ones(len(pterm), bool)
    newterm[1:] = pterm[1:] != pterm[:-1]
    tstart = np.flatnonzero(newterm)
    tend = np.append(tstart[1:], len(pterm))
    code = codes[pdoc].astype(np.int64)
    info = np.zeros(len(tstart), TERM_INFO)
    info["inlined"] = (tend - tstart) < layout.inline
    info["weight"] = np.add.reduceat(freq, tstart)
    info["df"] = tend - tstart
    info["minlength"] = np.minimum.reduceat(np.where(code > 0, code, 256), tstart) % 256
    info["maxlength"] = np.maximum.reduceat(code, tstart)
    info["maxweight"] = np.maximum.reduceat(freq, tstart)
    info["first"], info["last"] = pdoc[tstart], pdoc[tend - 1]
    headers = info.tobytes()
    size = TERM_INFO.itemsize
    blocks = _Blocks(layout, tstart, tend, pdoc, freq, code, start, doc, value)
    names = [terms[t] for t in pterm[tstart].tolist()]
    inlined = info["inlined"].astype(bool)
    compact = iter(_inline_entries(layout, inlined, tstart, tend, pdoc, freq, value, info))
    offset = postfile.tell()  # then counted here: two `tell`s per block term were two lseek calls (~8 a document)
    for k, (a, b) in enumerate(zip(tstart.tolist(), tend.tolist(), strict=True)):
        if b - a < layout.inline:
            entry = next(compact)
            if entry is None:  # not what a compact entry spells: as the codec's writer falls back to
                entry = _pickled_entry(layout, a, b, start, pdoc, freq, value, info[k])
        else:
            written = blocks.term(a, b)
            postfile.write(written)
            entry = headers[k * size:(k + 1) * size] + pack_long(offset) + pack_int(len(written))
            offset += len(written)
        entries.append((layout.prefix + names[k], entry))


def _inline_entries(layout: Layout, inlined: np.ndarray, tstart: np.ndarray, tend: np.ndarray, pdoc: np.ndarray,
                    freq: np.ndarray, value: np.ndarray, info: np.ndarray) -> list[bytes | None]:
    """The compact entry of each inlined term (`None` where a compact entry cannot spell it), encoded for
    all of them at once (`inline.encode_many`)."""
    counts = (tend - tstart)[inlined]
    posting = np.repeat(inlined, tend - tstart)  # the postings of inlined terms
    positions = value[np.repeat(posting, freq)] if layout.positional else None  # a posting's rows: its positions
    kind = inline.POSITIONS if layout.positional else inline.FREQUENCIES
    return inline.encode_many(kind, counts, pdoc[posting], freq[posting], positions, info["minlength"][inlined],
                              info["maxlength"][inlined])


def _pickled_entry(layout: Layout, a: int, b: int, start: np.ndarray, pdoc: np.ndarray, freq: np.ndarray,
                   value: np.ndarray, info: np.void) -> bytes:
    """Whoosh's inline entry (pickled postings) of the term whose postings are `a:b`."""
    docs, freqs = pdoc[a:b].tolist(), freq[a:b].tolist()
    if layout.positional:
        values = tuple(inline.position_value(value[i:i + n].tolist())
                       for i, n in zip(start[a:b].tolist(), freqs, strict=True))
    else:
        values = tuple(map(pack_uint, freqs))
    weights = [float(f) for f in freqs]
    return inline_entry(docs, weights, values, int(info["minlength"]), int(info["maxlength"]), compact=False)


def term_postings(part: Sorted, terms: Sequence[bytes], positional: bool) -> Iterator[tuple[bytes, list[Any]]]:
    """Each term of a sorted part with its postings `(document, weight, value)` as Whoosh's writer takes
    them (one Python tuple per posting: for codecs `write_part` does not write)."""
    term, doc, value = part.term.tolist(), part.doc.tolist(), part.value.tolist()
    lo = 0
    while lo < len(term):
        hi = lo
        postings = []
        while hi < len(term) and term[hi] == term[lo]:
            end = hi + 1
            if positional:
                while end < len(term) and term[end] == term[lo] and doc[end] == doc[hi]:
                    end += 1
                postings.append((doc[hi], float(end - hi), inline.position_value(value[hi:end])))
            else:
                postings.append((doc[hi], float(value[hi]), pack_uint(value[hi])))
            hi = end
        yield terms[term[lo]], postings
        lo = hi


class _Blocks:
    """The posting blocks of a part's block terms, with what each block needs computed for all at once."""

    def __init__(self, layout: Layout, tstart: np.ndarray, tend: np.ndarray, pdoc: np.ndarray, freq: np.ndarray,
                 code: np.ndarray, start: np.ndarray, doc: np.ndarray, value: np.ndarray) -> None:
        self.layout = layout
        big = (tend - tstart) >= layout.inline
        # block starts: every `block` postings from each block term's start
        lens = (tend - tstart)[big]
        nblocks = -(-lens // layout.block)
        term_of_block = np.repeat(np.arange(len(lens)), nblocks)
        within = np.arange(nblocks.sum()) - np.repeat(np.cumsum(nblocks) - nblocks, nblocks)
        bstart = tstart[big][term_of_block] + within * layout.block
        bend = np.minimum(bstart + layout.block, tend[big][term_of_block])
        self.index = {a: i for i, a in enumerate(bstart.tolist())}
        self.bstart, self.bend = bstart.tolist(), bend.tolist()
        delta = np.diff(pdoc, prepend=0)
        delta[bstart] = pdoc[bstart]
        self.delta = delta.tolist()
        self.last = pdoc[bend - 1].tolist()
        self.lo_f = _reduce(np.minimum, freq, bstart, bend)
        self.hi_f = _reduce(np.maximum, freq, bstart, bend)
        self.lo_c = [c % 256 for c in _reduce(np.minimum, np.where(code > 0, code, 256), bstart, bend)]
        self.hi_c = _reduce(np.maximum, code, bstart, bend)
        self.freq_bytes = np.minimum(freq, 255).astype(np.uint8).tobytes()
        self.freqs = freq.tolist()
        gaps = delta.copy()
        gaps[bstart] = 0  # a block's first id is stored whole, beside its gaps' planes (`positions`)
        self.gap_bytes = gaps.astype("<u4").view(np.uint8).reshape(-1, 4)
        self.gap_width = [positions.width(top) for top in _reduce(np.maximum, gaps, bstart, bend)]
        if layout.positional:
            rows_end = np.append(start, len(doc))
            self.keys = _keys_by_block(doc, value, rows_end[bstart], rows_end[bend])
        else:
            self.bounds = _bounds_by_block(code, freq, bstart, bend)

    def term(self, a: int, b: int) -> bytes:
        """A block term's postings `a:b` as written: the header magic, then each block."""
        out = [WHOOSH3_HEADER_MAGIC]
        i = self.index[a]
        while True:
            lo, hi = self.bstart[i], self.bend[i]
            out.append(self._encode_block(i, lo, hi, last=hi == b))
            if hi == b:
                return b"".join(out)
            i += 1

    def _encode_block(self, i: int, lo: int, hi: int, last: bool) -> bytes:
        layout = self.layout
        ids = tuple(self.delta[lo:hi])
        low, high = self.lo_f[i], self.hi_f[i]
        if high == 1:
            weights: Any = None
        elif low == high:
            weights = float(low)
        elif high < 256:
            weights = self.freq_bytes[lo:hi]
        else:
            weights = tuple(float(f) for f in self.freqs[lo:hi])
        gaps = self.gap_bytes[lo + 1:hi, :self.gap_width[i]].T.tobytes()
        if not layout.positional:
            data: tuple[Any, ...] = positions.block_data(ids, weights, None, gaps, self.bounds[i])
        else:
            keys = self.keys[i]
            data = positions.block_data(ids, weights, keys, gaps) if isinstance(keys, bytes) else (ids, weights, keys)
        databytes = pickle.dumps(data, BLOCK_PROTOCOL)
        if layout.compression:
            databytes = zlib.compress(databytes, layout.compression)
        info = pickle.dumps((hi - lo, self.last[i], float(high), layout.compression, self.lo_c[i], self.hi_c[i]), 2)
        length = len(info) + len(databytes)
        return pack_int(-length if last else length) + info + databytes


def _reduce(ufunc: np.ufunc, values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> list[Any]:
    """`ufunc` reduced over each range `values[lo[i]:hi[i]]` (none empty)."""
    if not len(lo):
        return []
    return ufunc.reduceat(np.append(values, values[:1]), np.column_stack((lo, hi)).ravel())[::2].tolist()


def _keys_by_block(doc: np.ndarray, pos: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> list[Any]:
    """Each block's stored positions: its position planes (`positions.encode`, the same bytes), or, when its
    keys `doc << KEY_SHIFT | position` do not strictly ascend (a word twice at one position) or a position
    is past a key's bits, Whoosh's per-posting values (`codec.position_keys`)."""
    descending = np.zeros(len(pos), bool)  # each key not above the one before: compared as (document,
    # position), which orders in-range keys as their numbers do, without arrays of the 64-bit keys
    np.less(doc[1:], doc[:-1], out=descending[1:])
    descending[1:] |= (doc[1:] == doc[:-1]) & (pos[1:] <= pos[:-1])
    descending[lo] = False  # a block's first key has none before it
    descending |= (pos < 0) | (pos >= 1 << KEY_SHIFT)  # (a block holding such a key is unordered whatever
    unordered = _reduce(np.add, descending.astype(np.int64), lo, hi)  # its neighbours)
    top = _reduce(np.maximum, pos, lo, hi)
    planes = pos.astype("<u4").view(np.uint8).reshape(-1, 4)  # each position's bytes, low first (int32: 4 at most)
    out: list[Any] = []
    for a, b, bad, most in zip(lo.tolist(), hi.tolist(), unordered, top, strict=True):
        if bad:
            out.append(_per_posting_values(doc[a:b].tolist(), pos[a:b].tolist()))
        else:
            out.append(planes[a:b, :positions.width(most)].T.tobytes())
    return out


def _per_posting_values(docs: list[int], positions: list[int]) -> tuple[bytes, ...]:
    """`Positions.encode` of each posting's positions, from rows of (document, position)."""
    out = []
    lo = 0
    for j in range(1, len(docs) + 1):
        if j == len(docs) or docs[j] != docs[lo]:
            out.append(inline.position_value(positions[lo:j]))
            lo = j
    return tuple(out)


def _by_run_code_weight(chunk: np.ndarray, code: np.ndarray, freq: np.ndarray) -> np.ndarray:
    """`np.lexsort((-freq, code, chunk))`: postings by run, then length code, then frequency descending. One
    stable sort of the three packed in an int64 where they fit (runs below 2**23, codes a byte, frequencies
    below 2**32; `chunk` ascends): under half the three sorts' time."""
    if not len(freq) or chunk[-1] >= 1 << 23 or code.min() < 0 or code.max() > 255 or freq.min() < 0 \
            or freq.max() >= 1 << 32:
        return np.lexsort((-freq, code, chunk))
    return np.argsort(chunk << 40 | code << 32 | ((1 << 32) - 1 - freq), kind="stable")


def _bounds_by_block(code: np.ndarray, freq: np.ndarray, bstart: np.ndarray, bend: np.ndarray) -> list[Any]:
    """`codec.score_bounds` of every block: per run of `codec.BOUND_CHUNK` postings, the (length code, weight)
    pairs no other posting of the run beats on both, codes ascending and weights strictly rising."""
    if not len(bstart):
        return []
    sizes = bend - bstart
    rel = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    rows = np.repeat(bstart, sizes) + rel
    chunks_per_block = -(-sizes // codec.BOUND_CHUNK)
    chunk = np.repeat(np.cumsum(chunks_per_block) - chunks_per_block, sizes) + rel // codec.BOUND_CHUNK
    f = freq[rows].astype(np.int64)
    c, w = code[rows].astype(np.int64), f.astype(np.float64)
    order = _by_run_code_weight(chunk, c, f)
    c, w, chunk = c[order], w[order], chunk[order]
    best = np.ones(len(c), bool)  # the highest weight of each (run, code)
    best[1:] = (chunk[1:] != chunk[:-1]) | (c[1:] != c[:-1])
    c, w, chunk = c[best], w[best], chunk[best]
    lifted = w + chunk * (w.max() + 1.0)  # a running maximum that restarts with each run
    ceiling = np.maximum.accumulate(lifted)
    keep = np.ones(len(c), bool)
    keep[1:] = lifted[1:] > ceiling[:-1]
    c, w, chunk = c[keep].tolist(), w[keep].tolist(), chunk[keep].tolist()
    runs: list[tuple[Any, ...]] = []
    edges = [0, *(j for j in range(1, len(chunk)) if chunk[j] != chunk[j - 1]), len(chunk)]
    for lo, hi in pairwise(edges):
        pairs: list[Any] = []
        for j in range(lo, hi):
            pairs += (c[j], w[j])
        runs.append(tuple(pairs))
    out = []
    first = 0
    for n in chunks_per_block.tolist():
        out.append((codec.BOUND_CHUNK, tuple(runs[first:first + n])))
        first += n
    return out

