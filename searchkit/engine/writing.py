"""Writing the indexes with Whoosh 2.7.4, around its weak spots.

- One locked `IndexWriter` session per run over the article and quotes indexes; deletes by source term
  look the terms up segment by segment (Whoosh's `update_document` opens a searcher per call).
- `SegmentBuilder` lets worker processes write their own segments, which the lock holder lists in its
  commit: nothing is merged serially (Whoosh's multi-process writer ends in a serial merge).
- The pool groups postings by term and spills one marshal record per term (`GroupedPool`); documents are
  added field by field straight into it (`_add_document`); a flush writes each term's postings a block at a
  time (`_flush_grouped`) with field lengths read once per field (`_CachedLengths`).
- Segments are non-compound (opening a searcher takes ~1 ms instead of 100+); rare terms' postings are
  stored inline with level-1 compression (`CODEC`).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import marshal
import operator
import os
import pickle
import struct
import tempfile
import time
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3TermInfo, _lenfield
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.filetables import _lengths as _HASH_LENGTHS
from whoosh.index import LockError
from whoosh.system import pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from searchkit.engine.codec import BLOCK_PROTOCOL, BlockCodec, BlockPostingsWriter
from searchkit.engine.index import create_index, exists, open_index
from searchkit.engine.lengths import read_lengths
from searchkit.engine.schema import INDEX_NAME, QUOTES_NAME
from searchkit.errors import IndexLocked

LOCK_TIMEOUT_S = 3.0

# Posting lists shorter than INLINE_POSTINGS live in the term table: most terms are rare, and a block
# write (pickle + compress + header) per term dominated commit time. Level-1 zlib is much cheaper than
# Whoosh's default level 3 for nearly the same size. Blocks of 1,024 postings instead of 128: the bulk
# scorer reads whole posting lists, and its per-block cost (seek, header, zlib, pickle) dominated reading
# a common word's list (phrase queries about 30% faster at 10k).
CODEC = BlockCodec(blocklimit=1024, compression=1, inlinelimit=16)


def has_indexes(index_dir: Path) -> bool:
    """True when both the article and the quotes index exist at `index_dir` (a writer would create neither)."""
    return exists(index_dir, INDEX_NAME) and exists(index_dir, QUOTES_NAME)


class IndexWriter:
    """One write session over the article and quotes indexes: holds both write locks until commit or cancel.

    Both indexes are keyed by source file, so deleting a source removes its articles and its quotes.
    """

    def __init__(self, index_dir: Path, *, rebuild: bool = False, limitmb: int = 128,
                 lock_timeout: float = LOCK_TIMEOUT_S) -> None:
        self.index_dir = index_dir
        if rebuild and exists(index_dir):
            self._check_unlocked(index_dir, lock_timeout)
        self.writers: list[SegmentWriter] = []
        try:
            for name in (INDEX_NAME, QUOTES_NAME):
                self.writers.append(_open_writer(index_dir, name, rebuild, limitmb, lock_timeout))
        except BaseException:
            for w in self.writers:
                w.cancel()
            raise
        self.writer, self.quote_writer = self.writers
        self.closed = False

    @staticmethod
    def _check_unlocked(index_dir: Path, timeout: float) -> None:
        """Refuse to rebuild an index another process is writing (without opening it: it may be unreadable)."""
        lock = FileStorage(str(index_dir)).lock(f"{INDEX_NAME}_WRITELOCK")
        deadline = time.monotonic() + timeout
        while not lock.acquire(blocking=False):
            if time.monotonic() > deadline:
                raise IndexLocked(f"index is locked by another process: {index_dir}")
            time.sleep(0.1)
        lock.release()

    def doc_count(self) -> int:
        """Documents in the index when this session started (all segments, deletions counted out)."""
        return sum(segment.doc_count() for segment in self.writer.segments)

    def delete_sources(self, sources: Iterable[str]) -> int:
        """Delete every article and quote that came from any of `sources`; returns the articles deleted."""
        sources = list(sources)
        if not sources:
            return 0
        count = _delete_terms(self.writer, "source", sources)
        _delete_terms(self.quote_writer, "source", sources)
        return count

    def add(self, doc: dict[str, Any], quotes: Iterable[dict[str, Any]] = ()) -> None:
        """Add one prepared article and its prepared quotes."""
        _add_document(self.writer, doc)
        for quote in quotes:
            _add_document(self.quote_writer, quote)

    def commit(self, extra: Sequence[Sequence[Any]] = ()) -> int:
        """Make everything written the current state: quotes first, then articles (each commit is atomic;
        a crash between them is repaired by the next run, which redoes files the manifest lacks).

        `extra` holds segment lists from `SegmentBuilder.finish()` of other processes, to be included.
        Returns the number of live articles now in the index (no reopening needed).
        """
        count = 0
        for i in (1, 0):
            count = _commit_with(self.writers[i], [segs[i] for segs in extra if segs[i] is not None])
        self.closed = True
        return count

    def cancel(self) -> None:
        """Abandon the session and release the locks (nothing to do once committed or cancelled)."""
        if self.closed:
            return
        for w in self.writers:
            if not w.is_closed:
                w.cancel()
        self.closed = True


def _delete_terms(writer: SegmentWriter, fieldname: str, texts: Sequence[str]) -> int:
    """Mark deleted every live document of the writer's existing segments that has one of `texts` in
    `fieldname`; returns how many. One term-table lookup per segment and text, straight through the codec
    (`delete_by_term` builds a query and a multi-segment matcher per term, and copies each segment's
    deleted set per posting list)."""
    field = writer.schema[fieldname]
    keys = [field.to_bytes(text) for text in texts]
    count = 0
    for segment in writer.segments:
        terms = segment.codec().terms_reader(writer.storage, segment)
        try:
            for key in keys:
                if (fieldname, key) not in terms:
                    continue
                for docnum in terms.matcher(fieldname, key, field.format).all_ids():
                    if not segment.is_deleted(docnum):
                        segment.delete_document(docnum)
                        count += 1
        finally:
            terms.close()
    return count


def _open_writer(index_dir: Path, name: str, rebuild: bool, limitmb: int, lock_timeout: float) -> SegmentWriter:
    """A locked Whoosh writer on index `name` (created when missing or rebuilding) with searchkit's codec."""
    ix = create_index(index_dir, name) if rebuild or not exists(index_dir, name) else open_index(index_dir, name)
    try:
        writer = ix.writer(timeout=lock_timeout, limitmb=limitmb, compound=False, codec=CODEC)
    except LockError as exc:
        raise IndexLocked(f"index is locked by another process: {index_dir}") from exc
    return _tune(writer, index_dir)


def _tune(writer: SegmentWriter, index_dir: Path, pool_limit: int = 500_000) -> SegmentWriter:
    """Give a Whoosh writer searchkit's grouped pool, cached field lengths and block-wise flush."""
    per_document_reader = writer.per_document_reader
    writer.per_document_reader = lambda: _CachedLengths(per_document_reader())
    writer.pool = GroupedPool(_spill_dir(index_dir), limit=pool_limit)
    writer._flush_segment = lambda: _flush_grouped(writer)
    writer.fieldwriter._tindex.buckets = [_HashBucket() for _ in range(256)]
    return writer


class _HashBucket:
    """One of a term table writer's 256 hash buckets: Whoosh keeps a `(hash, position)` tuple per term
    until the segment is closed (~120 bytes a term); here the hashes (32-bit in Whoosh) and positions sit
    in two arrays (8 bytes a term; positions widen to 64 bits past 4 GB). Same `append`, `len` and pair
    iteration as the list it replaces, so the same table is written."""

    __slots__ = ("_hashes", "_positions")

    def __init__(self) -> None:
        self._hashes = array("I")
        self._positions = array("I")

    def append(self, entry: tuple[int, int]) -> None:
        h, pos = entry
        self._hashes.append(h)
        try:
            self._positions.append(pos)
        except OverflowError:
            self._positions = array("Q", self._positions)
            self._positions.append(pos)

    def __len__(self) -> int:
        return len(self._hashes)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self._hashes, self._positions, strict=True)


class SegmentBuilder:
    """Writes documents into new segments of the article and quotes indexes, without the lock.

    Used by worker processes while the parent holds the lock through an `IndexWriter`; the parent lists
    the finished segments in its commit (`IndexWriter.commit(extra=...)`), so nothing is merged serially.
    """

    def __init__(self, index_dir: Path, pool_limit: int = 150_000) -> None:
        self.writers = []
        for name in (INDEX_NAME, QUOTES_NAME):
            ix = open_index(index_dir, name)
            writer = SegmentWriter(ix, _lk=False, compound=False, codec=CODEC)
            self.writers.append(_tune(writer, index_dir, pool_limit))

    def add(self, doc: dict[str, Any], quotes: Iterable[dict[str, Any]] = ()) -> None:
        """Add one prepared article and its prepared quotes."""
        _add_document(self.writers[0], doc)
        for quote in quotes:
            _add_document(self.writers[1], quote)

    def finish(self) -> list[Any]:
        """Close the segments; one per index (None where nothing was added).

        The quotes pool is spilled before the articles are flushed, so that flush (and its term table) does
        not run beside the quotes' pooled postings; each writer is released once its segment is done, so
        its hash buckets are gone before the next flush (a large build's tree peak was at these flushes).
        """
        for writer in self.writers[1:]:
            writer.pool.spill()
        out = []
        while self.writers:
            writer = self.writers.pop(0)
            if writer._added:
                out.append(writer._finalize_segment())
            else:
                writer._close_segment()
                out.append(None)
            _release(writer)
        return out


def _release(writer: SegmentWriter) -> None:
    """Drop a finished writer's pool and field writer (with its term table buckets): `_tune`'s hooks make
    the writer part of a reference cycle, which only the cyclic collector would free, later."""
    writer.pool = writer.fieldwriter = None
    for hook in ("per_document_reader", "_flush_segment"):
        writer.__dict__.pop(hook, None)


def _commit_with(writer: SegmentWriter, extra: Sequence[Any]) -> int:
    """`SegmentWriter.commit`, also listing segments written by other processes in the new TOC; returns
    the live documents of the new TOC."""
    final = writer._merge_segments(None, False, True)
    final.extend(extra)
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(final)
    writer._finish()
    return sum(segment.doc_count() for segment in final)


def _add_document(writer: SegmentWriter, fields: dict[str, Any]) -> None:
    """`SegmentWriter.add_document` for searchkit's schemas, feeding the grouped pool a field at a time.

    Same per-document records as Whoosh's method (stored values, field lengths, columns); the postings go
    straight to their term lists instead of through one pool call per posting. No boosts are used.
    """
    schema, perdoc, pool = writer.schema, writer.perdocwriter, writer.pool
    docnum = writer.docnum
    added = 0
    perdoc.start_doc(docnum)
    for fieldname in sorted(k for k, v in fields.items() if v is not None and not k.startswith("_")):
        value = fields[fieldname]
        field = schema[fieldname]
        length = 0
        if field.indexed:
            items = value if isinstance(value, list) else list(field.index(value))
            terms = pool.field_terms(fieldname)
            for tbytes, freq, weight, vbytes in items:
                terms[tbytes].append((docnum, weight, vbytes))
                length += freq
            added += len(items)
            if not field.scorable:
                length = 0
        stored = fields.get("_stored_" + fieldname, value)
        perdoc.add_field(fieldname, field, stored if field.stored else None, length)
        if field.column_type is not None and stored is not None:
            perdoc.add_column_value(fieldname, field.column_type, field.to_column_value(stored))
    perdoc.finish_doc()
    writer._added = True
    writer.docnum += 1
    pool.count += added
    if pool.count >= pool.limit:
        pool.spill()


def _flush_grouped(writer: SegmentWriter) -> None:
    """Write the pooled postings term by term, a block at a time (Whoosh's own loop makes several
    Python calls per posting); same blocks, same statistics. Most terms are rare and stored inline in the
    term table: their entries are encoded here directly (`_inline_terminfo`), the rest go through
    Whoosh's postings writer."""
    writer.perdocwriter.close()
    lengths = writer.per_document_reader() if writer.codec.length_stats else None
    fieldwriter = writer.fieldwriter
    lastfield = None
    field_lengths: list[int] = []
    field_codes: list[int] = []
    inline_limit = 0
    prefix = b""
    tindex = fieldwriter._tindex
    entries: list[tuple[bytes, bytes]] = []  # inline term entries not yet written (in key order)
    for (fieldname, tbytes), postings in writer.pool.grouped():
        if fieldname != lastfield:
            _add_entries(tindex, entries)
            if lastfield is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, writer.schema[fieldname])
            field_lengths = lengths.lengths(fieldname) if lengths is not None else []
            field_codes = [length_to_byte(n) if n else 0 for n in field_lengths]
            lastfield = fieldname
            postwriter = fieldwriter._postwriter
            inline_limit = min(postwriter._inlinelimit, postwriter._blocklimit + 1)
            prefix = pack_ushort(fieldwriter._fieldid)
        postings.sort()
        if len(postings) < inline_limit:
            entries.append((prefix + tbytes, _inline_terminfo(postings, field_lengths)))
            if len(entries) >= 1024:  # a field of unique keys is all inline: keep the batch small
                _add_entries(tindex, entries)
            continue
        _add_entries(tindex, entries)
        fieldwriter.start_term(tbytes)
        _add_postings(fieldwriter._postwriter, postings, field_lengths, field_codes)
        fieldwriter.finish_term()
    _add_entries(tindex, entries)
    if lastfield is not None:
        fieldwriter.finish_field()
    fieldwriter.close()
    if lengths is not None:
        lengths.close()


_TERMINFO = W3TermInfo._struct


def _add_entries(tindex: Any, entries: list[tuple[bytes, bytes]]) -> None:
    """`OrderedHashWriter.add` for each of `entries` (then cleared), with one file write for them all:
    same records, same hash buckets and key index."""
    if not entries:
        return
    pos = tindex.dbfile.tell()
    index_append, buckets, hashfn, lastkey = tindex.index.append, tindex.buckets, tindex.hashfn, tindex.lastkey
    parts: list[bytes] = []
    for key, value in entries:
        if key <= lastkey:
            raise ValueError(f"Keys must increase: {lastkey!r}..{key!r}")
        index_append(pos)
        h = hashfn(key)
        buckets[h & 255].append((h, pos))
        head = _HASH_LENGTHS.pack(len(key), len(value))
        parts += (head, key, value)
        pos += len(head) + len(key) + len(value)
        lastkey = key
    tindex.dbfile.write(b"".join(parts))
    tindex.lastkey = lastkey
    entries.clear()


def _inline_terminfo(postings: list[tuple[int, float, bytes]], lengths: list[int]) -> bytes:
    """A term table entry with the postings inlined, byte for byte what `W3FieldWriter.finish_term`
    writes for a short posting list through the codec (`codec.BlockTermInfo`, tested): the statistics
    header, then the pickled postings."""
    if len(postings) == 1:  # the commonest case by far, spelled out
        ((docnum, weight, value),) = postings
        buffered_weight = array("f", (weight,))[0]  # Whoosh buffers weights as 32-bit floats
        length = lengths[docnum] if docnum < len(lengths) else 0
        header = _TERMINFO.pack(True, 0 + buffered_weight, 1, length_to_byte(length) if length else 0,
                                length_to_byte(length), max(0, weight), docnum, docnum)
        return header + pickle.dumps(((docnum,), (buffered_weight,), (value,) if value else ()), BLOCK_PROTOCOL)
    ids, weights, values = zip(*postings, strict=True)
    buffered = array("f", weights)
    known = len(lengths)
    lens = [lengths[d] for d in ids if d < known and lengths[d]]
    header = _TERMINFO.pack(True, 0 + sum(buffered), len(ids), length_to_byte(min(lens)) if lens else 0,
                            length_to_byte(max(lens) if lens else 0), max(0, *weights), ids[0], ids[-1])
    return header + pickle.dumps((ids, tuple(buffered), tuple(v for v in values if v)), BLOCK_PROTOCOL)


def _add_postings(pw: Any, postings: list[tuple[int, float, bytes]], lengths: list[int],
                  codes: list[int] | None = None) -> None:
    """Fill a W3 postings writer's blocks from sorted postings, as `add_posting` would one by one (`codes`:
    each document's one-byte length code, encoded from `lengths` when not given)."""
    limit = pw._blocklimit
    known = len(lengths)
    if codes is None:
        codes = [length_to_byte(n) if n else 0 for n in lengths]
    bounded = isinstance(pw, BlockPostingsWriter)  # keeps score bounds (Whoosh's own writer does not)
    for i in range(0, len(postings), limit):
        if pw._ids:
            pw._write_block()
        ids, weights, values = zip(*postings[i:i + limit], strict=True)
        pw._ids.extend(ids)
        pw._weights.extend(weights)
        pw._maxweight = max(0, *weights)
        pw._values.extend(v for v in values if v)
        if bounded:
            pw._codes.extend([codes[d] if d < known else 0 for d in ids])
        lens = [lengths[d] for d in ids if d < known and lengths[d]]
        if lens:
            pw._minlength = min(lens)
            pw._maxlength = max(lens)


def _spill_dir(index_dir: Path) -> Path:
    """Where posting runs spill; cleared here, since runs left by a killed writer are garbage (the caller
    holds the write lock, so no other writer is using them)."""
    spill = index_dir / "spill"
    spill.mkdir(exist_ok=True)
    for stale in spill.glob("*.run"):
        with contextlib.suppress(OSError):
            stale.unlink()
    return spill


_RECORD_LEN = struct.Struct("<I")  # the length of a marshal record in a spilled run


class GroupedPool:
    """The writer's posting pool, grouped by term.

    Whoosh's pool keeps one tuple per posting, sorts them all, and past its memory limit pickles every
    posting to a run file and merges them back one by one. Here postings are appended to their term's list,
    only the distinct terms are sorted, and a full pool spills as one marshal record per term; runs are
    merged by term. Memory stays bounded by `limit` postings.
    """

    def __init__(self, tempdir: Path, limit: int = 500_000) -> None:
        self.tempdir = tempdir
        self.limit = limit
        self.groups: dict[str, defaultdict[bytes, list[tuple[int, float, bytes]]]] = {}  # field -> term -> postings
        self.count = 0
        self.runs: list[str] = []

    def field_terms(self, fieldname: str) -> defaultdict[bytes, list[tuple[int, float, bytes]]]:
        """One field's postings by term (a new term starts an empty list)."""
        terms = self.groups.get(fieldname)
        if terms is None:
            terms = self.groups[fieldname] = defaultdict(list)
        return terms

    def add(self, item: tuple[str, bytes, int, float, bytes]) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        self.field_terms(fieldname)[tbytes].append((docnum, weight, vbytes))
        self.count += 1
        if self.count >= self.limit:
            self.spill()

    def _pooled(self) -> Iterator[tuple[tuple[str, bytes], list[tuple[int, float, bytes]]]]:
        """The pooled `(field, term)` keys in order, each with its postings."""
        for fieldname in sorted(self.groups):
            terms = self.groups[fieldname]
            for tbytes in sorted(terms):
                yield (fieldname, tbytes), terms[tbytes]

    def spill(self) -> None:
        """Write the pooled postings out as a sorted run (if there are any) and empty the pool."""
        if not self.groups:
            return
        fd, path = tempfile.mkstemp(suffix=".run", dir=self.tempdir)
        with os.fdopen(fd, "wb") as f:
            for key, postings in self._pooled():
                data = marshal.dumps((key, postings))
                f.write(_RECORD_LEN.pack(len(data)))
                f.write(data)
        self.runs.append(path)
        self.groups = {}
        self.count = 0

    @staticmethod
    def _read(path: str, buffering: int) -> Iterator[tuple[tuple[str, bytes], list[tuple[int, float, bytes]]]]:
        """A run's records, each length-prefixed: `marshal.load` on a file makes a Python-level read per
        value it decodes, so records are read whole and decoded with `marshal.loads`."""
        size = _RECORD_LEN.size
        with open(path, "rb", buffering=buffering) as f:
            read = f.read
            while header := read(size):
                yield marshal.loads(read(_RECORD_LEN.unpack(header)[0]))

    def grouped(self) -> Iterator[tuple[tuple[str, bytes], list[tuple[int, float, bytes]]]]:
        """(field, term) keys in order, each with its postings (not yet sorted by docnum)."""
        if not self.runs:
            yield from self._pooled()
            return
        if self.groups:
            self.spill()
        first = operator.itemgetter(0)
        buffering = max(1 << 13, min(1 << 16, (4 << 20) // len(self.runs)))  # all runs are open at once
        merged = heapq.merge(*(self._read(p, buffering) for p in self.runs), key=first)
        for key, parts in itertools.groupby(merged, key=first):
            postings, *more = [run_postings for _key, run_postings in parts]
            for later in more:  # each list is fresh from its run: extended in place
                postings.extend(later)
            yield key, postings

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        """Every posting in (field, term, docnum) order, as Whoosh's segment writer expects."""
        for (fieldname, tbytes), postings in self.grouped():
            postings.sort()
            for docnum, weight, vbytes in postings:
                yield fieldname, tbytes, docnum, weight, vbytes

    def cleanup(self) -> None:
        for path in self.runs:
            with contextlib.suppress(OSError):
                os.remove(path)
        self.runs = []


class _CachedLengths:
    """Wraps the per-document reader Whoosh consults once per posting while writing a segment, so each
    field's lengths column is read once rather than once per posting (the top cost of a commit)."""

    def __init__(self, reader: Any) -> None:
        self._inner = reader
        self._by_field: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self.lengths(fieldname)
        return lengths[docnum] if docnum < len(lengths) else default

    def lengths(self, fieldname: str) -> list[int]:
        """Every document's length in a field (0 where absent)."""
        lengths = self._by_field.get(fieldname)
        if lengths is None:
            lengths = self._by_field[fieldname] = self._load(fieldname)
        return lengths

    def _load(self, fieldname: str) -> list[int]:
        column = _lenfield(fieldname)
        if not self._inner.has_column(column):
            return []
        return read_lengths(self._inner.column_reader(column, LENGTHS_COLUMN), missing=0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
