"""Writing the indexes with Whoosh 2.7.4, around its weak spots.

- One locked `IndexWriter` session per run over the article and quotes indexes; deletes by source term
  reuse one searcher per index (Whoosh's `update_document` opens one per call).
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
import os
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3TermInfo, _lenfield
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.writing import SegmentWriter

from searchkit.engine.index import create_index, exists, open_index, read_lengths
from searchkit.engine.schema import INDEX_NAME, QUOTES_NAME
from searchkit.errors import IndexLocked

LOCK_TIMEOUT_S = 3.0

# Posting lists shorter than INLINE_POSTINGS live in the term table: most terms are rare, and a block
# write (pickle + compress + header) per term dominated commit time. Level-1 zlib is much cheaper than
# Whoosh's default level 3 for nearly the same size.
CODEC = W3Codec(blocklimit=128, compression=1, inlinelimit=16)
if not hasattr(W3TermInfo, "set_inline"):  # Whoosh 2.7.4's writer calls a misspelling of set_inlined
    W3TermInfo.set_inline = W3TermInfo.set_inlined


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
        self._searchers: list[Any] = []
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
        reader = self.writer.reader()
        try:
            return reader.doc_count()
        finally:
            reader.close()

    def delete_sources(self, sources: Iterable[str]) -> int:
        """Delete every article and quote that came from any of `sources`, with one searcher per index."""
        sources = list(sources)
        if not sources:
            return 0
        if not self._searchers:
            self._searchers = [w.searcher() for w in self.writers]
        count = 0
        for source in sources:
            count += self.writer.delete_by_term("source", source, searcher=self._searchers[0])
            self.quote_writer.delete_by_term("source", source, searcher=self._searchers[1])
        return count

    def add(self, doc: dict[str, Any], quotes: Iterable[dict[str, Any]] = ()) -> None:
        """Add one prepared article and its prepared quotes."""
        _add_document(self.writer, doc)
        for quote in quotes:
            _add_document(self.quote_writer, quote)

    def commit(self, extra: Sequence[Sequence[Any]] = ()) -> None:
        """Make everything written the current state: quotes first, then articles (each commit is atomic;
        a crash between them is repaired by the next run, which redoes files the manifest lacks).

        `extra` holds segment lists from `SegmentBuilder.finish()` of other processes, to be included.
        """
        self._close_searchers()
        for i in (1, 0):
            _commit_with(self.writers[i], [segs[i] for segs in extra if segs[i] is not None])
        self.closed = True

    def cancel(self) -> None:
        """Abandon the session and release the locks (nothing to do once committed or cancelled)."""
        if self.closed:
            return
        self._close_searchers()
        for w in self.writers:
            if not w.is_closed:
                w.cancel()
        self.closed = True

    def _close_searchers(self) -> None:
        for searcher in self._searchers:
            searcher.close()
        self._searchers = []


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
    return writer


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
        """Close the segments; one per index (None where nothing was added)."""
        out = []
        for writer in self.writers:
            if writer._added:
                out.append(writer._finalize_segment())
            else:
                writer._close_segment()
                out.append(None)
        return out


def _commit_with(writer: SegmentWriter, extra: Sequence[Any]) -> None:
    """`SegmentWriter.commit`, also listing segments written by other processes in the new TOC."""
    if not extra:
        writer.commit()
        return
    final = writer._merge_segments(None, False, True)
    final.extend(extra)
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(final)
    writer._finish()


def _add_document(writer: SegmentWriter, fields: dict[str, Any]) -> None:
    """`SegmentWriter.add_document` for searchkit's schemas, feeding the grouped pool a field at a time.

    Same per-document records as Whoosh's method (stored values, field lengths, columns); the postings go
    straight to their term lists instead of through one pool call per posting. No boosts are used.
    """
    schema, perdoc, pool = writer.schema, writer.perdocwriter, writer.pool
    docnum = writer.docnum
    groups = pool.groups
    added = 0
    perdoc.start_doc(docnum)
    for fieldname in sorted(k for k, v in fields.items() if v is not None and not k.startswith("_")):
        value = fields[fieldname]
        field = schema[fieldname]
        length = 0
        if field.indexed:
            items = value if isinstance(value, list) else field.index(value)
            for tbytes, freq, weight, vbytes in items:
                postings = groups.get((fieldname, tbytes))
                if postings is None:
                    groups[(fieldname, tbytes)] = [(docnum, weight, vbytes)]
                else:
                    postings.append((docnum, weight, vbytes))
                length += freq
                added += 1
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
        pool._spill()


def _flush_grouped(writer: SegmentWriter) -> None:
    """Write the pooled postings term by term, a block at a time (Whoosh's own loop makes several
    Python calls per posting); same blocks, same statistics."""
    writer.perdocwriter.close()
    lengths = writer.per_document_reader() if writer.codec.length_stats else None
    fieldwriter = writer.fieldwriter
    lastfield = None
    field_lengths: list[int] = []
    for (fieldname, tbytes), postings in writer.pool.grouped():
        if fieldname != lastfield:
            if lastfield is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, writer.schema[fieldname])
            field_lengths = lengths.lengths(fieldname) if lengths is not None else []
            lastfield = fieldname
        postings.sort()
        fieldwriter.start_term(tbytes)
        _add_postings(fieldwriter._postwriter, postings, field_lengths)
        fieldwriter.finish_term()
    if lastfield is not None:
        fieldwriter.finish_field()
    fieldwriter.close()
    if lengths is not None:
        lengths.close()


def _add_postings(pw: Any, postings: list[tuple[int, float, bytes]], lengths: list[int]) -> None:
    """Fill a W3 postings writer's blocks from sorted postings, as `add_posting` would one by one."""
    limit = pw._blocklimit
    known = len(lengths)
    for i in range(0, len(postings), limit):
        if pw._ids:
            pw._write_block()
        ids, weights, values = zip(*postings[i:i + limit], strict=True)
        pw._ids.extend(ids)
        pw._weights.extend(weights)
        pw._maxweight = max(0, *weights)
        pw._values.extend(v for v in values if v)
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
        self.groups: dict[tuple[str, bytes], list[tuple[int, float, bytes]]] = {}
        self.count = 0
        self.runs: list[str] = []

    def add(self, item: tuple[str, bytes, int, float, bytes]) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        postings = self.groups.get((fieldname, tbytes))
        if postings is None:
            self.groups[(fieldname, tbytes)] = [(docnum, weight, vbytes)]
        else:
            postings.append((docnum, weight, vbytes))
        self.count += 1
        if self.count >= self.limit:
            self._spill()

    def _spill(self) -> None:
        fd, path = tempfile.mkstemp(suffix=".run", dir=self.tempdir)
        with os.fdopen(fd, "wb") as f:
            for key in sorted(self.groups):
                marshal.dump((key, self.groups[key]), f)
        self.runs.append(path)
        self.groups = {}
        self.count = 0

    @staticmethod
    def _read(path: str) -> Iterator[tuple[tuple[str, bytes], list[tuple[int, float, bytes]]]]:
        with open(path, "rb") as f:
            while True:
                try:
                    yield marshal.load(f)
                except EOFError:
                    return

    def grouped(self) -> Iterator[tuple[tuple[str, bytes], list[tuple[int, float, bytes]]]]:
        """(field, term) keys in order, each with its postings (not yet sorted by docnum)."""
        if not self.runs:
            for key in sorted(self.groups):
                yield key, self.groups[key]
            return
        if self.groups:
            self._spill()
        merged = heapq.merge(*(self._read(p) for p in self.runs), key=lambda kv: kv[0])
        for key, parts in itertools.groupby(merged, key=lambda kv: kv[0]):
            yield key, [posting for _key, postings in parts for posting in postings]

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
        self._reader = reader
        self._lengths: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self.lengths(fieldname)
        return lengths[docnum] if docnum < len(lengths) else default

    def lengths(self, fieldname: str) -> list[int]:
        """Every document's length in a field (0 where absent)."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            lengths = self._lengths[fieldname] = self._load(fieldname)
        return lengths

    def _load(self, fieldname: str) -> list[int]:
        column = _lenfield(fieldname)
        if not self._reader.has_column(column):
            return []
        return read_lengths(self._reader.column_reader(column, LENGTHS_COLUMN), missing=0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)
