"""The LSH band index of the copies store: which articles share a band of their MinHash signatures.

A signature's `BINS` values are cut into `BANDS` bands of `ROWS` (= 2) values; each band becomes a 32-bit
key (the two values and the band's number, mixed by MurmurHash3's finaliser). Two articles are candidate
copies when they share a key that at most `MAX_BUCKET` entries hold (a key held by more is boilerplate, not
evidence of copying), and copies when their signatures then agree enough (`copies_update`). A band with an
empty bin (a short body) gives no key. Keys that collide by chance only propose pairs the signatures then
reject.

The index is stored, so that an update looks up only the keys of the articles it adds or regroups instead
of banding every signature again (1.5–2 s at 10^5 articles): `buckets (prefix, entries)`, one row per key
prefix (the top `PREFIX_BITS` bits) holding that prefix's `(key, article number)` pairs as the key's low
bits (uint16: the row's prefix is the rest) and the number (uint32), 6 bytes an entry (a row per entry would
take ~19 bytes with SQLite's own overhead, 60 MB at 10^5 articles; both uint32, 29 MB, layout 1).

An update does not rewrite the rows it touches (its ~10^5 entries fall in most of the 65,536 prefixes: the
whole table, ~0.2 s of a 2,000-file update's serial end at 10^5 articles): it records its entries in
`bucket_log`, one row of two sorted arrays of `(key, number)` codes, the entries added and those removed
from the rows, and the rows are read with the log applied (removed first, then added). Once the log holds
`LOG_LIMIT` entries, its prefixes' rows are written and it is emptied.
"""

from __future__ import annotations

import itertools
import sqlite3
from operator import itemgetter

import numpy as np

from searchkit.limits import MEMORY_BUDGET
from searchkit.minhash import BINS, EMPTY, fmix
from searchkit.sidecar import chunks, marks

ROWS = 2  # signature values per band (the packing below assumes two)
BANDS = BINS // ROWS
MAX_BUCKET = 1_000
"""A key shared by more entries than this is boilerplate (a stock phrase as the minimum shingle), not
evidence of copying: it proposes no candidates."""
PREFIX_BITS = 16
LOG_LIMIT = 400_000
"""Entries the log holds before they are written into the rows (a few updates of 2,000 files; 8 bytes an
entry, rewritten with the log at each update, and looked through when rows are read)."""

_U64 = np.uint64
_CHUNK = max(1, MEMORY_BUDGET // 4_096)  # articles banded at once when the index is rebuilt
_SALTS = np.arange(1, BANDS + 1, dtype=_U64) * _U64(0x9E3779B97F4A7C15)  # one per band
_SHIFT = np.uint32(32 - PREFIX_BITS)
_CODE_PREFIX_SHIFT = _U64(32 + int(_SHIFT))  # where a code's prefix starts (its key is the top 32 bits)


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of a 1-d array, sorted (`np.unique`'s result): numpy 2's `np.unique` hashes
    integers, and on these (article numbers in the high bits of a pair's code) it took 0.87 s for a 2,000-file
    update's 1.06M candidate pairs at 10^5 articles, a sort 13 ms."""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def band_keys(sigs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each signature's band keys (`(n, BANDS)` uint32) and which of them exist (no empty bin in the band)."""
    wide = sigs.astype(_U64)
    packed = (wide[:, 0::ROWS] << _U64(32)) | wide[:, 1::ROWS]
    keys = (fmix(packed ^ _SALTS) >> _U64(32)).astype(np.uint32)
    valid = (sigs[:, 0::ROWS] != EMPTY) & (sigs[:, 1::ROWS] != EMPTY)
    return keys, valid


def entries(numbers: np.ndarray, sigs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The `(key, article number)` entries of these articles, as two flat arrays."""
    keys, valid = band_keys(sigs)
    return keys[valid], np.broadcast_to(numbers.astype(np.uint32)[:, None], keys.shape)[valid]


class Buckets:
    """The band index of one copies store (its `db`), read and changed a prefix at a time; the prefixes
    read so far are kept (as they are after the changes made through this object)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._loaded: dict[int, np.ndarray] = {}  # prefix -> (m, 2) uint32 (key, number), sorted, log applied
        row = db.execute("SELECT added, removed FROM bucket_log").fetchone()
        # the log (`_codes`, sorted): `added` may hold entries the rows hold too (after their removal)
        self._added, self._removed = (_EMPTY_CODES, _EMPTY_CODES) if row is None else (
            np.frombuffer(row[0], "<u8").astype(_U64), np.frombuffer(row[1], "<u8").astype(_U64))

    def rebuild(self, numbers: np.ndarray, sigs: np.ndarray) -> None:
        """Replace the index with the entries of these articles (all there are)."""
        codes = _all_codes(numbers, sigs)
        codes.sort()  # by key, then article number
        pairs = _uncodes(codes)
        del codes
        # the prefixes are sorted: each starts where it differs from the last (`np.unique` sorted them again,
        # with an index array as large as the entries)
        top = pairs[:, 0] >> _SHIFT
        first = np.ones(len(top), dtype=bool)
        np.not_equal(top[1:], top[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        prefixes = top[starts]
        del top, first
        # each prefix's part and row sliced out of the whole (`np.split` and a `_blob` per part: ~10 us each of the
        # 65,536 prefixes, ~0.3 s of every build's CPU whatever its size)
        bounds = [*starts.tolist(), len(pairs)]
        stored = memoryview(_packed(pairs).view(np.uint8))
        size = _ENTRY.itemsize
        self.db.execute("DELETE FROM buckets")
        self.db.execute("DELETE FROM bucket_log")
        self._added = self._removed = _EMPTY_CODES
        blobs = (stored[lo * size:hi * size].tobytes() for lo, hi in itertools.pairwise(bounds))
        self.db.executemany("INSERT INTO buckets VALUES (?, ?)", zip(prefixes.tolist(), blobs, strict=True))
        del stored, blobs  # the packed copy goes before the parts are cut: never beside them
        self._loaded = dict.fromkeys(range(1 << PREFIX_BITS), _EMPTY_PAIRS)  # every prefix is known now
        parts = (pairs[lo:hi] for lo, hi in itertools.pairwise(bounds))
        self._loaded.update(zip(prefixes.tolist(), parts, strict=True))

    def update(self, removed: tuple[np.ndarray, np.ndarray], added: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Drop the entries of the `removed` articles and add those of the `added` ones (each `(numbers,
        signatures)`); returns the keys whose bucket crossed `MAX_BUCKET` either way (their articles' edges
        changed without those articles changing)."""
        rkeys, rnums = entries(*removed)
        akeys, anums = entries(*added)
        touched = distinct(np.concatenate([rkeys, akeys]))
        old = self._pairs(touched)
        # `old` is sorted (by key, then number): the removed entries are found, and the added ones placed, by
        # binary search, instead of sorting every entry of the touched prefixes again (~2.4M at 10^5 articles)
        removed_codes, added_codes = distinct(_codes(rkeys, rnums)), np.sort(_codes(akeys, anums))
        new = _uncodes(_applied(_codes(old[:, 0], old[:, 1]), removed_codes, added_codes))
        # each touched prefix's entries, found in one call: a searchsorted per prefix with Python ints cast the
        # whole uint32 column to int64 each time (40,000 prefixes x 4M rows: 34 s of a 2,000-file update)
        self._loaded.update(_by_prefix(new, distinct(touched >> _SHIFT)))
        self._log(removed_codes, added_codes)
        before, after = _sizes(old[:, 0], touched), _sizes(new[:, 0], touched)
        return touched[(before > MAX_BUCKET) != (after > MAX_BUCKET)]

    def logged(self) -> bool:
        """Whether the rows are read with a log (see the module's docstring)."""
        return bool(len(self._added) or len(self._removed))

    def _log(self, removed: np.ndarray, added: np.ndarray) -> None:
        """Record an update's removed and added entries (removed first: an article number may come back)."""
        from_rows = removed[~np.isin(removed, self._added)]  # the others were added since the rows were written
        self._removed = distinct(np.concatenate([self._removed, from_rows]))
        kept = self._added[~np.isin(self._added, removed)]
        self._added = np.insert(kept, np.searchsorted(kept, added), added)
        if len(self._added) + len(self._removed) >= LOG_LIMIT:
            self._write_log()
        else:
            self.db.execute("INSERT OR REPLACE INTO bucket_log VALUES (0, ?, ?)",
                            (self._added.astype("<u8").tobytes(), self._removed.astype("<u8").tobytes()))

    def _write_log(self) -> None:
        """Write the rows of every prefix the log names, as read with it applied, and empty the log."""
        prefixes = distinct(np.concatenate([self._added, self._removed]) >> _CODE_PREFIX_SHIFT).tolist()
        self._load(prefixes)  # each read, the log applied
        kept, emptied = [], []
        for prefix in prefixes:
            pairs = self._loaded[prefix]
            if len(pairs):
                kept.append((prefix, _blob(pairs)))
            else:
                emptied.append((prefix,))
        self.db.executemany("INSERT OR REPLACE INTO buckets VALUES (?, ?)", kept)
        self.db.executemany("DELETE FROM buckets WHERE prefix = ?", emptied)
        self.db.execute("DELETE FROM bucket_log")
        self._added = self._removed = _EMPTY_CODES

    def members(self, keys: np.ndarray) -> np.ndarray:
        """The article numbers of every entry holding one of these keys."""
        pairs = self._pairs(distinct(keys))
        return pairs[np.isin(pairs[:, 0], keys), 1].astype(np.int64)

    def candidates(self, numbers: np.ndarray, sigs: np.ndarray) -> np.ndarray:
        """Distinct pairs `(article, other article)` of these articles with any other sharing a key held by at
        most `MAX_BUCKET` entries (`(m, 2)` int64)."""
        # the entries sorted by key (the pairs found are a set: their order is free), so that each binary search
        # starts where the last ended, in a contiguous column: 3x less CPU for the lookups of a build's articles
        ordered = _codes(*entries(numbers, sigs))
        ordered.sort()
        split = _uncodes(ordered)
        del ordered
        keys, nums = split[:, 0], split[:, 1]
        pairs = self._pairs(distinct(keys))
        lo = np.searchsorted(pairs[:, 0], keys, side="left")  # strided: a contiguous copy of the keys cost 13 MB
        hi = np.searchsorted(pairs[:, 0], keys, side="right")
        counts = hi - lo
        counts[counts > MAX_BUCKET] = 0
        codes = distinct(_codes(np.repeat(nums, counts), pairs[_expand(lo, counts), 1]))
        found = _uncodes(codes).astype(np.int64)
        return found[found[:, 0] != found[:, 1]]

    def _pairs(self, keys: np.ndarray) -> np.ndarray:
        """Every entry of the prefixes of these keys (sorted by key), reading the prefixes not read yet."""
        prefixes = distinct(keys >> _SHIFT).tolist()
        self._load(prefixes)
        parts = [self._loaded[p] for p in prefixes]
        return np.concatenate(parts) if parts else _EMPTY_PAIRS

    def _load(self, prefixes: list[int]) -> None:
        """Read the entries of those of these prefixes not read yet, with the log applied."""
        missing = [p for p in prefixes if p not in self._loaded]
        rows = []
        for chunk in chunks(missing):
            rows += self.db.execute(f"SELECT prefix, entries FROM buckets WHERE prefix IN ({marks(chunk)})",
                                    chunk).fetchall()
        self._loaded.update(dict.fromkeys(missing, _EMPTY_PAIRS))
        if missing and self.logged():
            self._loaded.update(self._logged(missing, rows))
        else:
            self._loaded.update(_rows_pairs(rows))

    def _logged(self, prefixes: list[int], rows: list[tuple[int, bytes]]) -> dict[int, np.ndarray]:
        """The entries of these prefixes (sorted), from their stored `rows` with the log applied."""
        wanted = np.array(sorted(prefixes), dtype=_U64)
        # one array in prefix order, not a slice per row joined again (~0.1 s of the ~40,000 rows an update reads)
        pairs = _rows_array(sorted(rows, key=itemgetter(0)))[0]
        removed = self._removed[np.isin(self._removed >> _CODE_PREFIX_SHIFT, wanted)]
        added = self._added[np.isin(self._added >> _CODE_PREFIX_SHIFT, wanted)]
        return _by_prefix(_uncodes(_applied(_codes(pairs[:, 0], pairs[:, 1]), removed, added)), wanted)


_EMPTY_CODES = np.zeros(0, dtype=_U64)


def _applied(codes: np.ndarray, removed: np.ndarray, added: np.ndarray) -> np.ndarray:
    """Sorted entry codes without every entry equal to one of `removed` (sorted, distinct), with `added`
    (sorted) placed: by binary search, not by sorting them all again (~2.4M at 10^5 articles)."""
    gone = np.zeros(len(codes), dtype=bool)
    gone[_spans(codes, removed)] = True
    codes = codes[~gone]
    return np.insert(codes, np.searchsorted(codes, added), added)


def _by_prefix(pairs: np.ndarray, prefixes: np.ndarray) -> dict[int, np.ndarray]:
    """Sorted entries `(key, number)` split by these prefixes (sorted; every one gets its slice, maybe empty)."""
    top = pairs[:, 0] >> _SHIFT
    los = np.searchsorted(top, prefixes.astype(np.uint32), side="left").tolist()
    his = np.searchsorted(top, prefixes.astype(np.uint32), side="right").tolist()
    return {prefix: pairs[lo:hi] for prefix, lo, hi in zip(prefixes.tolist(), los, his, strict=True)}


_EMPTY_PAIRS = np.zeros((0, 2), dtype=np.uint32)
_ENTRY = np.dtype([("low", "<u2"), ("number", "<u4")])  # a stored entry: its key's low bits, its article
_LOW = np.uint32((1 << int(_SHIFT)) - 1)
assert int(_SHIFT) <= 16, "a stored entry keeps its key's low bits in 16"


def _blob(pairs: np.ndarray) -> bytes:
    """Entries `(key, number)` (`(n, 2)` uint32, all of one prefix when stored as a row) as stored."""
    return _packed(pairs).tobytes()


def _packed(pairs: np.ndarray) -> np.ndarray:
    """`_blob`'s records, as an `_ENTRY` array."""
    packed = np.empty(len(pairs), _ENTRY)
    np.bitwise_and(pairs[:, 0], _LOW, out=packed["low"], casting="unsafe")  # no temporary the size of the column
    packed["number"] = pairs[:, 1]
    return packed


def _rows_pairs(rows: list[tuple[int, bytes]]) -> zip[tuple[int, np.ndarray]]:
    """Stored rows `(prefix, entries)` back as each prefix's `(n, 2)` uint32 `(key, number)` pairs (`_blob`
    undone), converted together: a conversion per row cost ~8 us, 0.33 s of the 40,000 rows a 2,000-file
    update reads at 10^5 articles."""
    pairs, sizes = _rows_array(rows)
    ends = np.cumsum(sizes).tolist()
    parts = (pairs[end - size:end] for end, size in zip(ends, sizes.tolist(), strict=True))
    return zip(map(itemgetter(0), rows), parts, strict=True)


def _rows_array(rows: list[tuple[int, bytes]]) -> tuple[np.ndarray, np.ndarray]:
    """Stored rows `(prefix, entries)` as one `(n, 2)` uint32 `(key, number)` array, the rows' entries in their
    order, and each row's number of entries (the rows taken apart in C: no Python expression per row)."""
    blobs = list(map(itemgetter(1), rows))
    sizes = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs)) // _ENTRY.itemsize
    packed = np.frombuffer(b"".join(blobs), _ENTRY)
    pairs = np.empty((len(packed), 2), dtype=np.uint32)
    prefixes = np.fromiter(map(itemgetter(0), rows), dtype=np.uint32, count=len(rows))
    pairs[:, 0] = (np.repeat(prefixes, sizes) << _SHIFT) | packed["low"]
    pairs[:, 1] = packed["number"]
    return pairs, sizes


def _all_codes(numbers: np.ndarray, sigs: np.ndarray) -> np.ndarray:
    """The entries of these articles as `_codes`, banded a chunk of articles at a time (their temporaries are
    ~2 KB an article) into one array: the chunks' arrays joined at the end were held twice (2 x 27 MB at 10^5
    articles)."""
    codes = np.empty(len(numbers) * BANDS, dtype=_U64)
    done = 0
    for i in range(0, len(numbers), _CHUNK):
        part = _codes(*entries(numbers[i:i + _CHUNK], sigs[i:i + _CHUNK]))
        codes[done:done + len(part)] = part
        done += len(part)
    return codes[:done]


def _codes(high: np.ndarray, low: np.ndarray) -> np.ndarray:
    """Two uint32 columns as one uint64 (to compare or sort pairs as single numbers)."""
    return (high.astype(_U64) << _U64(32)) | low.astype(_U64)


def _uncodes(codes: np.ndarray) -> np.ndarray:
    """`_codes` undone: one uint64 per pair back to a `(n, 2)` uint32 array. Each half is written straight into
    its column (a uint64 temporary the size of `codes` each was the peak of a rebuild's banding)."""
    pairs = np.empty((len(codes), 2), dtype=np.uint32)
    np.right_shift(codes, _U64(32), out=pairs[:, 0], casting="unsafe")  # both halves fit: the cast is exact
    np.bitwise_and(codes, _U64(0xFFFFFFFF), out=pairs[:, 1], casting="unsafe")
    return pairs


def _expand(lo: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The positions `lo[i], lo[i] + 1, ..., lo[i] + counts[i] - 1` of every `i`, in order, as one array."""
    return np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))


def _spans(codes: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The positions in `codes` (sorted) of every entry equal to one of `wanted`."""
    lo = np.searchsorted(codes, wanted, side="left")
    return _expand(lo, np.searchsorted(codes, wanted, side="right") - lo)


def _sizes(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """How many of `keys` (sorted) equal each of `wanted`."""
    return np.searchsorted(keys, wanted, side="right") - np.searchsorted(keys, wanted, side="left")

