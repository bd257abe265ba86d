"""Writing the indexes with Whoosh 2.7.4, around its weak spots.

- One locked `IndexWriter` session per run over the article and quotes indexes; deletes by source term
  look the terms up segment by segment (Whoosh's `update_document` opens a searcher per call).
- `SegmentBuilder` lets worker processes write their own segments, which the lock holder lists in its
  commit: nothing is merged serially (Whoosh's multi-process writer ends in a serial merge).
- `_tune` gives each Whoosh writer searchkit's pool (`batch.TextPool`: text fields analysed a batch of
  documents at a time into arrays of rows, the other fields pooled by `pool._add_document`) and flush
  (`flush._flush_grouped`: text fields encoded from their sorted rows straight into the codec's blocks,
  the others a block at a time, lengths read once per field).
- Segments are non-compound (opening a searcher takes ~1 ms instead of 100+); rare terms' postings are
  stored inline, others in blocks deflated at level 5 (`CODEC`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from whoosh.index import TOC, clean_files
from whoosh.writing import SegmentWriter

from searchkit import heap, private
from searchkit.engine import integrity, leftovers, stories
from searchkit.engine.batch import TextPool, add_document, link, process, unlink
from searchkit.engine.codec import BlockCodec
from searchkit.engine.flush import _add_postings, _CachedLengths, _flush_grouped
from searchkit.engine.index import PrivateStorage, create_index, exists, open_index
from searchkit.engine.pool import GroupedPool, _spill_dir
from searchkit.engine.schema import INDEX_NAME, QUOTES_NAME, analysed_fields, paired_fields
from searchkit.engine.vocab import Vocabulary
from searchkit.errors import IndexLocked
from searchkit.limits import MEMORY_BUDGET

__all__ = ["CODEC", "LOCK_TIMEOUT_S", "GroupedPool", "IndexWriter", "SegmentBuilder",
           "_add_postings"]  # _add_postings: the tests' reference flush feeds Whoosh's writer with it

LOCK_TIMEOUT_S = 3.0
SEGMENT_WORDS = MEMORY_BUDGET // 512
"""Distinct raw tokens a segment worker's vocabulary holds before it starts new segments (`SegmentBuilder.roll`):
~400 bytes each with their words and stems, so the vocabulary stays within the budget (it grew with the
archive: numbers and names keep coming), and the flush, which grows with the segment, with it."""

# Posting lists shorter than INLINE_POSTINGS live in the term table: most terms are rare, and a block
# write (pickle + compress + header) per term dominated commit time. Blocks are deflated at zlib level 5:
# 9% smaller than at level 1 (the 105k index's largest postings file), and read faster (inflating a better
# compressed block is 15% quicker), for 45% more compression time (+8 s of a 105k build's CPU; level 6 would
# save 2% more for twice that). Blocks of 1,024 postings instead of 128: the bulk
# scorer reads whole posting lists, and its per-block cost (seek, header, zlib, pickle) dominated reading
# a common word's list (phrase queries about 30% faster at 10k).
CODEC = BlockCodec(blocklimit=1024, compression=5, inlinelimit=16)


class IndexWriter:
    """One write session over the article and quotes indexes: holds both write locks until commit or cancel.

    Both indexes are keyed by source file, so deleting a source removes its articles and its quotes.
    """

    def __init__(self, index_dir: Path, *, rebuild: bool = False, limitmb: int = 128,
                 lock_timeout: float | None = LOCK_TIMEOUT_S) -> None:
        self.index_dir = index_dir
        self.writers: list[SegmentWriter] = []
        self.closed = False
        vocab = Vocabulary()
        try:
            for name in (INDEX_NAME, QUOTES_NAME):
                self.writers.append(_open_writer(index_dir, name, rebuild, limitmb, lock_timeout, vocab))
        except BaseException:
            self.cancel()
            raise
        self.writer, self.quote_writer = self.writers
        link(self.quote_writer, self.writer)

    def doc_count(self) -> int:
        """Documents in the index when this session started (all segments, deletions counted out)."""
        return sum(segment.doc_count() for segment in self.writer.segments)

    def holds_documents(self) -> bool:
        """Whether either index held a live document when this session started: after a kill between the
        quotes commit and the articles commit of a first build, only the quotes index does."""
        return any(segment.doc_count() for writer in self.writers for segment in writer.segments)

    def delete_sources(self, sources: Iterable[str]) -> int:
        """Delete every article and quote that came from any of `sources`; returns the articles deleted."""
        sources = list(sources)
        if not sources:
            return 0
        count = _delete_terms(self.writer, "source", sources)
        _delete_terms(self.quote_writer, "source", sources)
        return count

    def add(self, doc: dict[str, Any], quotes: Iterable[dict[str, Any]] = ()) -> None:
        """Add one prepared article and its prepared quotes (first: they wait for it, `batch.link`)."""
        for quote in quotes:
            add_document(self.quote_writer, quote)
        add_document(self.writer, doc)

    def commit(self, extra: Sequence[Sequence[Any]] = ()) -> int:
        """Make everything written the current state: quotes first, then articles.

        Every segment file of both indexes is written first (a full disk fails there: nothing committed);
        then each table of contents, a small file renamed into place: if the articles' cannot be written,
        the quotes' new one is removed again, so the old state stays whole. Only then are old files
        deleted. A kill between the two renames is repaired by the next run, which redoes the files the
        manifest lacks. `extra` holds segment lists from `SegmentBuilder.finish()` of other processes, to
        be included. Returns the number of live articles now in the index (no reopening needed).
        """
        order = [self.writers[1], self.writers[0]]
        finals = [_final_segments(w, [segs[i] for segs in extra if segs[i] is not None])
                  for i, w in ((1, order[0]), (0, order[1]))]
        written: list[SegmentWriter] = []
        try:
            for w, final in zip(order, finals, strict=True):
                TOC(w.schema, final, w.generation).write(w.storage, w.indexname)
                written.append(w)
        except BaseException:
            for w in written:
                with contextlib.suppress(OSError):
                    w.storage.delete_file(TOC._filename(w.indexname, w.generation))
            raise
        for w, final in zip(order, finals, strict=True):
            clean_files(w.storage, w.indexname, w.generation, final)  # the previous generation's files
            w._finish()
        self.closed = True
        return sum(segment.doc_count() for segment in finals[1])

    def cancel(self) -> None:
        """Abandon the session: close what was written (best effort: a full disk may refuse even that),
        remove the files it made while the locks are still held (`leftovers`), release the locks. Nothing
        to do once committed or cancelled."""
        if self.closed:
            return
        self.closed = True
        open_writers = [w for w in self.writers if not w.is_closed]
        for w in open_writers:
            with contextlib.suppress(Exception):
                w._close_segment()
            with contextlib.suppress(Exception):
                w.pool.cleanup()
        leftovers.sweep(self.index_dir, [w.indexname for w in open_writers])
        for w in open_writers:
            with contextlib.suppress(Exception):
                w._tempstorage.destroy()
            with contextlib.suppress(Exception):
                w.writelock.release()
            w.is_closed = True


def _delete_terms(writer: SegmentWriter, fieldname: str, texts: Sequence[str]) -> int:
    """Mark deleted every live document of the writer's existing segments that has one of `texts` in
    `fieldname`; returns how many. One term-table lookup per segment and text, straight through the codec
    (`delete_by_term` builds a query and a multi-segment matcher per term, and copies each segment's
    deleted set per posting list)."""
    field = writer.schema[fieldname]
    keys = sorted(field.to_bytes(text) for text in texts)  # in table order: neighbours share a block
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


def lock(index_dir: Path, name: str, timeout: float | None) -> Any:
    """Index `name`'s write lock, acquired (waiting up to `timeout` seconds, or for ever with None), or
    `IndexLocked`."""
    private.make_dir(index_dir)
    held = PrivateStorage(str(index_dir)).lock(f"{name}_WRITELOCK")
    deadline = None if timeout is None else time.monotonic() + timeout
    while not held.acquire(blocking=False):
        if deadline is not None and time.monotonic() > deadline:
            raise IndexLocked(f"index is locked by another process: {index_dir}")
        time.sleep(0.1)
    return held


def _open_writer(index_dir: Path, name: str, rebuild: bool, limitmb: int, lock_timeout: float | None,
                 vocab: Vocabulary) -> SegmentWriter:
    """A locked Whoosh writer on index `name` (created when missing or rebuilding) with searchkit's codec.

    The lock comes first: two runs on a fresh folder both created the index, each deleting the other's
    files (FileNotFoundError / EmptyIndexError on `_searchkit_0.toc`); now the second one waits for it."""
    held = lock(index_dir, name, lock_timeout)
    try:
        ix = create_index(index_dir, name) if rebuild or not exists(index_dir, name) else open_index(index_dir, name)
        writer = SegmentWriter(ix, _lk=False, limitmb=limitmb, compound=False, codec=CODEC)
    except BaseException:
        leftovers.sweep(index_dir, [name])  # a writer that failed to start (a full disk) made files already
        held.release()
        raise
    writer.writelock = held  # released when the writer commits or cancels
    return _tune(writer, index_dir, vocab)


def _tune(writer: SegmentWriter, index_dir: Path, vocab: Vocabulary, pool_limit: int = 500_000,
          clear_spill: bool = True) -> SegmentWriter:
    """Give a Whoosh writer searchkit's pool (text fields analysed in batches of documents, `vocab`
    shared by the writers of one process), cached field lengths and block-wise flush."""
    per_document_reader = writer.per_document_reader
    writer.per_document_reader = lambda: _CachedLengths(per_document_reader())
    paired = {exact: (name, writer.schema[name].pair_words()) for exact, name in paired_fields(writer.schema).items()}
    spill = _spill_dir(index_dir, clear=clear_spill)
    writer.pool = TextPool(spill, pool_limit, analysed_fields(writer.schema), vocab, paired)
    writer._flush_segment = lambda: _flush_grouped(writer)
    return writer


class SegmentBuilder:
    """Writes documents into new segments of the article and quotes indexes, without the lock.

    Used by worker processes while the parent holds the lock through an `IndexWriter`; the parent lists
    the finished segments in its commit (`IndexWriter.commit(extra=...)`), so nothing is merged serially.
    """

    def __init__(self, index_dir: Path, pool_limit: int = 150_000) -> None:
        self.index_dir, self.pool_limit = index_dir, pool_limit
        self.done: list[list[Any]] = []  # the segments finished so far, one list per roll
        self._start()

    def _start(self) -> None:
        """New writers on the spill folder the workers share: the session's writer cleared it before any
        started, and clearing it here would remove another worker's runs (one starts seconds late on a
        loaded machine)."""
        self.writers = []
        self.vocab = Vocabulary()
        self.ids: list[str] = []  # the articles' ids, in the order added (`stories.remember_ids`)
        for name in (INDEX_NAME, QUOTES_NAME):
            ix = open_index(self.index_dir, name)
            writer = SegmentWriter(ix, _lk=False, compound=False, codec=CODEC)
            self.writers.append(_tune(writer, self.index_dir, self.vocab, self.pool_limit, clear_spill=False))
        link(self.writers[1], self.writers[0])

    def add(self, doc: dict[str, Any], quotes: Iterable[dict[str, Any]] = ()) -> None:
        """Add one prepared article and its prepared quotes (first: they wait for it, `batch.link`)."""
        for quote in quotes:
            add_document(self.writers[1], quote)
        self.ids.append(doc.get("_stored_id", ""))
        add_document(self.writers[0], doc)

    def full(self) -> bool:
        """Whether the segments' vocabulary reached `SEGMENT_WORDS`: time to `roll` (between files)."""
        return len(self.vocab) >= SEGMENT_WORDS

    def roll(self) -> None:
        """Finish the current segments and start new ones with a new vocabulary: a worker's memory (its
        vocabulary, and its flush, which grows with the segment) stays bounded however many files it
        reads. The documents keep their order, so their numbers in the index do not change."""
        self.done.append(self._finish())
        self._start()

    def finish(self) -> list[list[Any]]:
        """Close the segments; per roll, one segment per index (None where nothing was added). The flush's
        freed pages go back to the system: a worker done first waits, for as long as the others' last flush
        takes, and held that flush's ~55 MB of garbage beside their peak. The builder is spent afterwards."""
        return [*self.done, self._finish()]

    def _finish(self) -> list[Any]:
        """Close the current segments; one per index (None where nothing was added).

        The quotes are processed first (with the articles they wait for, `batch.link`) and their pool is
        spilled before the articles are flushed, so that flush (and its term table) does not run beside the
        quotes' pooled postings; each writer is released once its segment is done, so its buffers are
        gone before the next flush (a large build's tree peak was at these flushes). Then the vocabulary's
        term lists go too, and their pages back to the system: a worker waits smaller for its next roll, or
        for the others' last flush (`_start` makes a new vocabulary).
        """
        for writer in self.writers[1:]:
            process(writer)
            writer.pool.spill_rows()
        self.vocab.close()  # every text is analysed: only the term lists are read from here on
        heap.trim()  # the freed lookups, and the holes the segment's batches left, before the flush's arrays
        out = []
        while self.writers:
            writer = self.writers.pop(0)
            if writer._added:
                out.append(writer._finalize_segment())
            else:
                writer._close_segment()
                out.append(None)
            _release(writer)
        if out[0] is not None:
            stories.remember_ids(self.index_dir, out[0].segment_id(), self.ids)
        del self.vocab
        heap.trim()
        return out


def _release(writer: SegmentWriter) -> None:
    """Drop a finished writer's pool and field writer: `_tune`'s hooks make
    the writer part of a reference cycle, which only the cyclic collector would free, later."""
    unlink(writer)
    writer.pool = writer.fieldwriter = None
    for hook in ("per_document_reader", "_flush_segment"):
        writer.__dict__.pop(hook, None)


def _final_segments(writer: SegmentWriter, extra: Sequence[Any]) -> list[Any]:
    """The first half of `SegmentWriter.commit`: merge, write this writer's segment, and list the segments
    of the new TOC, with those written by other processes (`extra`); the new ones get their file sizes."""
    old = {segment.segment_id() for segment in writer.segments}  # before the merge: it may extend that list
    final = writer._merge_segments(None, False, True)
    final.extend(extra)
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    integrity.record(writer.storage, [s for s in final if s.segment_id() not in old])  # file sizes, in the TOC
    return final
