"""A segment's postings for one text field as rows of arrays, handed out sorted by term a bounded part at a time.

Rows are `(term id, document, value)` int32 triples (the value is a position in a positional field, a
frequency in the others), added a batch of documents at a time in document order. Sorting them by the
rank of their term's bytes with a stable sort keeps each term's rows in document (and position) order:
exactly the order its postings are written in. Memory stays bounded: when its writer says so (`batch`), the rows are
written to a run file grouped by *bucket* (the first byte of the term, which orders terms as their bytes
do), and at the end each bucket is sorted on its own, in ranges of terms when it holds more than `limit`
rows. One sort per part, no per-posting object.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

ROW = np.dtype([("term", "<i4"), ("doc", "<i4"), ("value", "<i4")])
BUCKETS = 256  # a term's bucket is its first byte


class Sorted(NamedTuple):
    """Rows of a range of terms, sorted by term bytes, then document, then value (for positions)."""

    term: np.ndarray
    doc: np.ndarray
    value: np.ndarray


class FieldRows:
    """One field's posting rows for a segment (see the module docstring)."""

    def __init__(self, spill_dir: Path, limit: int) -> None:
        self.spill_dir = spill_dir
        self.limit = limit
        self.held: list[np.ndarray] = []
        self.held_rows = 0
        self.runs: list[tuple[str, np.ndarray]] = []  # run file, row offset of each bucket (BUCKETS + 1)
        self.counts = np.zeros(0, np.int64)  # rows per term id
        self._buckets = np.zeros(0, np.uint8)  # bucket per term id, filled as ids appear

    def __len__(self) -> int:
        return int(self.counts.sum())

    def add(self, term: np.ndarray, doc: np.ndarray, value: np.ndarray) -> None:
        """Add rows (term ids, documents, values), in document order after every row added before."""
        if not len(term):
            return
        rows = np.empty(len(term), ROW)
        rows["term"], rows["doc"], rows["value"] = term, doc, value
        counts = np.bincount(term)
        if len(counts) > len(self.counts):
            self.counts = np.concatenate((self.counts, np.zeros(len(counts) - len(self.counts), np.int64)))
        self.counts[:len(counts)] += counts
        self.held.append(rows)
        self.held_rows += len(rows)

    def spill(self, terms: Sequence[bytes]) -> None:
        """Write the held rows to a run file, grouped by bucket (stable: document order kept in each)."""
        if not self.held:
            return
        rows = np.concatenate(self.held) if len(self.held) > 1 else self.held[0]
        self.held, self.held_rows = [], 0
        bucket = self._bucket_of(terms)[rows["term"]]
        rows = rows[np.argsort(bucket, kind="stable")]
        offsets = np.concatenate(([0], np.cumsum(np.bincount(bucket, minlength=BUCKETS))))
        fd, path = tempfile.mkstemp(suffix=".run", dir=self.spill_dir)
        with os.fdopen(fd, "wb") as f:
            f.write(rows.tobytes())  # not `tofile`: its OSError on a full disk carries no errno (ENOSPC)
        self.runs.append((path, offsets))

    def sorted_parts(self, terms: Sequence[bytes]) -> Iterator[Sorted]:
        """Every row, sorted by term bytes (`terms[id]`), then document and value, in parts of about
        `limit` rows (a term with more rows is a part of its own)."""
        present = np.flatnonzero(self.counts)
        if not len(present):
            return
        order = np.array(sorted(present.tolist(), key=terms.__getitem__), np.int64)
        rank = np.full(len(self.counts), -1, np.int32)
        rank[order] = np.arange(len(order))
        if self.runs:
            self.spill(terms)
            bucket = self._bucket_of(terms)[order]
            edges = np.flatnonzero(np.diff(bucket)) + 1
            for lo, hi in zip(np.concatenate(([0], edges)).tolist(), np.concatenate((edges, [len(order)])).tolist(),
                              strict=True):
                yield from self._term_ranges(lo, hi, order, rank, self._run_pieces(int(bucket[lo])))
        else:
            yield from self._term_ranges(0, len(order), order, rank, lambda: iter(self.held))

    def _run_pieces(self, bucket: int) -> Callable[[], Iterator[np.ndarray]]:
        """A loader of one bucket's rows from every run, in run order, a run at a time (a part of a big
        bucket keeps only its own rows of each: the whole bucket is never in memory at once)."""
        def load() -> Iterator[np.ndarray]:
            for path, offsets in self.runs:
                start, end = int(offsets[bucket]), int(offsets[bucket + 1])
                if end > start:
                    yield _read_rows(path, start, end)
        return load

    def _term_ranges(self, lo: int, hi: int, order: np.ndarray, rank: np.ndarray,
               load: Callable[[], Iterator[np.ndarray]]) -> Iterator[Sorted]:
        """The rows of the terms ranked `lo` to `hi`, sorted, in ranges of about `limit` rows."""
        cumulative = np.cumsum(self.counts[order[lo:hi]])
        start = lo
        while start < hi:
            taken = int(cumulative[start - lo - 1]) if start > lo else 0
            end = lo + int(np.searchsorted(cumulative, taken + self.limit, side="right"))
            end = max(end, start + 1)
            rows = np.empty(int(cumulative[end - lo - 1]) - taken, ROW)  # filled piece by piece: never twice
            filled = 0  # in memory (a common word's part of an exact field: tens of MB at 10^5 articles)
            partial = start > lo or end < hi  # the part holds only some of the bucket's terms
            for piece in load():
                if partial:
                    ranks = rank[piece["term"]]
                    piece = piece[(ranks >= start) & (ranks < end)]
                    del ranks
                rows[filled:filled + len(piece)] = piece
                filled += len(piece)
                piece = None  # not held while the next is read
            assert filled == len(rows), "a run's pieces disagree with its counts"
            if end - start > 1:  # the pieces come in document order: a part of one term's rows is in order
                key = rank[rows["term"]]
                if not (key[1:] >= key[:-1]).all():
                    rows = rows[_stable_order(key, start, end)]
                del key
            yield Sorted(rows["term"], rows["doc"], rows["value"])
            del rows
            start = end

    def _bucket_of(self, terms: Sequence[bytes]) -> np.ndarray:
        """The bucket of every term id seen so far."""
        known = len(self._buckets)
        if known < len(self.counts):
            fresh = np.fromiter((t[0] if t else 0 for t in terms[known:len(self.counts)]), np.uint8)
            self._buckets = np.concatenate((self._buckets, fresh))
        return self._buckets

    def cleanup(self) -> None:
        for path, _offsets in self.runs:
            with contextlib.suppress(OSError):
                os.remove(path)
        self.runs = []
        self.held, self.held_rows = [], 0


_RADIX_SPAN = 1 << 16  # keys this many or fewer apart fit a uint16, which numpy's stable sort sorts by radix


def _stable_order(key: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """`np.argsort(key, kind="stable")` for keys in `lo..hi - 1`: the same order, as the keys' offsets from
    `lo` in a uint16 when they fit (numpy sorts those by radix, in linear time: a part's sort took 4 times
    as long as int32 rows, by timsort)."""
    if hi - lo <= _RADIX_SPAN:
        return np.argsort((key - lo).astype(np.uint16), kind="stable")
    return np.argsort(key, kind="stable")


def _read_rows(path: str, start: int, end: int) -> np.ndarray:
    """Rows `start:end` of a run file, read into their array from a bare descriptor: `np.fromfile` made a
    Python file object each time (an fstat, an isatty ioctl and seven lseek calls besides the read), for
    each bucket of each run (~0.6 times a document). Where `os.preadv` is missing (Windows, macOS before
    11) an unbuffered file object reads them, binary on every system."""
    rows = np.empty(end - start, ROW)
    buffer = rows.view(np.uint8)
    offset = start * ROW.itemsize
    if not hasattr(os, "preadv"):
        with open(path, "rb", buffering=0) as raw:
            raw.seek(offset)
            _fill(buffer, lambda view, _done: raw.readinto(view), path)
        return rows
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        _fill(buffer, lambda view, done: os.preadv(fd, [view], offset + done), path)
    finally:
        os.close(fd)
    return rows


def _fill(buffer: np.ndarray, read: Callable[[np.ndarray, int], int | None], path: str) -> None:
    """Fill `buffer` by `read(rest of the buffer, bytes done)` calls, each of which may read less than asked."""
    done = 0
    while done < len(buffer):
        got = read(buffer[done:], done)
        if not got:
            raise OSError(f"run file {path} ends before its rows")
        done += got
